import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from "botbuilder";
import type { Config } from "../config.js";

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
  return new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}, credentials));
}
