import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from "botbuilder";
import type { Config } from "../config.js";

// botframework-connector's types, as botbuilder's own class uses them (botbuilder does not re-export them).
type AuthenticateRequestResult = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication["authenticateRequest"]>
>;
type ClaimsIdentity = AuthenticateRequestResult["claimsIdentity"];
type ConnectorFactory = NonNullable<AuthenticateRequestResult["connectorFactory"]>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory["create"]>>;
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication["createUserTokenClient"]>>;

/**
 * A bound on the clients kept. A deployment talks to a handful of Bot Connector addresses; local
 * mode accepts any loopback address, so without a bound a caller could grow the cache at will.
 */
const MAX_CLIENTS = 64;

/** Clients by key, built once; a failed build is forgotten so the next turn tries again. */
class ClientCache<T> {
  private readonly clients = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    const known = this.clients.get(key);
    if (known) return known;
    if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    const created = create();
    this.clients.set(key, created);
    created.catch(() => {
      if (this.clients.get(key) === created) this.clients.delete(key);
    });
    return created;
  }
}

/** As botframework-connector finds the bot's app id: the audience claim, or the emulator's appid claim. */
function appIdOf(claimsIdentity: ClaimsIdentity): string | null {
  return claimsIdentity.getClaimValue("aud") ?? claimsIdentity.getClaimValue("appid");
}

/**
 * botbuilder builds a new ConnectorClient and UserTokenClient, each with its own HTTP pipeline and
 * credentials, on every turn: about 30% of a bare echo bot's CPU (issue 11). The clients hold no
 * per-turn state and their credentials renew their own tokens, so one per (app id, serviceUrl,
 * audience) serves every turn. Requests are still authenticated each time by the base class.
 */
export class ReusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectorClients = new ClientCache<ConnectorClient>();
  private readonly userTokenClients = new ClientCache<UserTokenClient>();

  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication["authenticateRequest"]>
  ): Promise<AuthenticateRequestResult> {
    return this.reusingClients(await super.authenticateRequest(...args));
  }

  override async authenticateStreamingRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication["authenticateStreamingRequest"]>
  ): Promise<AuthenticateRequestResult> {
    return this.reusingClients(await super.authenticateStreamingRequest(...args));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusingFactory(super.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(JSON.stringify(appIdOf(claimsIdentity)), () =>
      super.createUserTokenClient(claimsIdentity),
    );
  }

  private reusingClients(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const { connectorFactory } = result;
    if (!connectorFactory) return result;
    return {
      ...result,
      connectorFactory: this.reusingFactory(connectorFactory, appIdOf(result.claimsIdentity)),
    };
  }

  private reusingFactory(factory: ConnectorFactory, appId: string | null): ConnectorFactory {
    return {
      create: (serviceUrl, audience) =>
        this.connectorClients.get(JSON.stringify([appId, serviceUrl, audience]), () =>
          factory.create(serviceUrl, audience),
        ),
    };
  }
}

/**
 * Teams and Web Chat through Azure Bot Service. With no app id (local mode) the adapter accepts
 * anonymous requests, as the Bot Framework Emulator expects.
 */
export function createCloudAdapter(config: Config): CloudAdapter {
  const { appId, appPassword, appType, tenantId } = config.microsoft;
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: appId ?? "",
    MicrosoftAppPassword: appPassword ?? "",
    MicrosoftAppType: appType ?? "MultiTenant",
    MicrosoftAppTenantId: tenantId ?? "",
  });
  return new CloudAdapter(new ReusingBotFrameworkAuthentication({}, credentials));
}
