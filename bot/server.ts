import restify, { type Request, type Response, type Server } from "restify";
import type { Assembly } from "./assembly/load.js";
import type { LocalChatAdapter } from "./channels/localAdapter.js";
import type { RunTurn } from "./channels/runTurn.js";
import type { InboundSmsTurns } from "./channels/inboundSms.js";
import type { Config } from "./config.js";
import { readJsonBody } from "./http/body.js";
import { parseActivity } from "./http/botActivity.js";
import { registerLocalRoutes } from "./http/localRoutes.js";
import { registerOrganizerRoutes } from "./http/organizerRoutes.js";
import { guarded, sendJson } from "./http/respond.js";
import { registerSmsRoutes } from "./http/smsRoutes.js";
import type { Language, Translate } from "./i18n/i18n.js";
import type { Logger } from "./logger.js";
import type { Outbound } from "./outbound/outbound.js";
import type { Store } from "./store/store.js";
import type { SchedulerStatus } from "./domain/reminderScheduler.js";
import type { ReloadResult } from "./domain/assemblyReload.js";

/** What /api/messages needs of the Bot Framework adapter: it authenticates, runs the turn and answers. */
export interface ProcessActivity {
  process(req: Request, res: Response, logic: RunTurn): Promise<void>;
}

export interface ServerDeps {
  config: Config;
  logger: Logger;
  clock: () => Date;
  store: Store;
  cloudAdapter: ProcessActivity;
  inboundSms: InboundSmsTurns;
  localAdapter: LocalChatAdapter;
  outbound: Outbound;
  assembly: Assembly;
  translate: (language: Language) => Translate;
  /** The bot: runs one turn on any adapter. */
  runTurn: RunTurn;
  version: string;
  /** Reads the assembly file again and puts it in force, or says why not. */
  reloadAssembly: () => Promise<ReloadResult>;
  /** The automatic reminders: whether they run, the next due time and how many wait. */
  schedulerStatus: () => SchedulerStatus & { running: boolean };
}

export function createServer(deps: ServerDeps): Server {
  const { config, logger } = deps;
  const server = restify.createServer({ name: "borgerbot", handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));

  // Bot Framework needs either Azure's authentication or local mode; an SMS-only
  // deployment has neither, so the endpoint is not there at all.
  if (config.microsoft.appId || config.localMode) {
    server.post(
      "/api/messages",
      guarded(logger, "messages", async (req, res) => {
        // CloudAdapter reads the parsed activity from req.body and answers auth errors itself,
        // but throws on a malformed activity; those get their 400 here.
        req.body = parseActivity(await readJsonBody(req), { localMode: config.localMode });
        await deps.cloudAdapter.process(req, res, deps.runTurn);
      }),
    );
  }

  const signature =
    config.twilio.authToken && config.publicUrl
      ? { authToken: config.twilio.authToken, publicUrl: config.publicUrl }
      : undefined;
  // Unsigned webhooks are for local mode only. A Teams-only deployment has no Twilio to sign
  // them, and an open /api/sms would let anyone write as any member's phone number.
  if (signature || config.localMode) {
    registerSmsRoutes({
      server,
      inbound: deps.inboundSms,
      outbound: deps.outbound,
      logger,
      apology: deps.translate("da")("errors.generic"),
      signature,
    });
  }

  registerOrganizerRoutes({
    server,
    logger,
    token: config.organizerToken,
    store: deps.store,
    assembly: deps.assembly,
    outbound: deps.outbound,
    translate: deps.translate,
    clock: deps.clock,
    reloadAssembly: deps.reloadAssembly,
  });

  if (config.localMode) {
    registerLocalRoutes({ server, adapter: deps.localAdapter, logger, runTurn: deps.runTurn });
  }

  server.get(
    "/healthz",
    guarded(logger, "healthz", async (_req, res) => {
      // A store that cannot write must not look healthy: nothing a member says would be kept.
      const writable = await deps.store.checkWritable();
      sendJson(res, writable ? 200 : 503, {
        status: writable ? "ok" : "store-unwritable",
        version: deps.version,
        localMode: config.localMode,
        smsDryRun: deps.outbound.smsDryRun,
        scheduler: deps.schedulerStatus(),
        ...(writable ? {} : { store: deps.store.health() }),
      });
    }),
  );

  return server;
}
