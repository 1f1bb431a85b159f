import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Server } from "restify";
import type { Classify, DialogServices } from "../dialogs/services.js";
import { createAdjustableClock } from "./adjustableClock.js";
import type { Assembly } from "./assembly/load.js";
import { createBotTurns } from "./channels/botTurns.js";
import { createCloudAdapter } from "./channels/cloudAdapter.js";
import { LocalChatAdapter } from "./channels/localAdapter.js";
import { createChatTransport } from "./channels/proactive.js";
import { createInboundSmsTurns } from "./channels/inboundSms.js";
import { SmsAdapter } from "./channels/smsAdapter.js";
import type { Config } from "./config.js";
import { createAssemblyReload, loadAssembly } from "./domain/assemblyReload.js";
import { pruneInbound } from "./domain/inboundJournal.js";
import { createOrganizerDirectory } from "./domain/organizers.js";
import { createReminderScheduler, type ReminderScheduler } from "./domain/reminderScheduler.js";
import { recordScheduleChanges } from "./domain/sessionChanges.js";
import { createTranslations } from "./i18n/i18n.js";
import type { Logger } from "./logger.js";
import { createServer } from "./server.js";
import { createOutbound, type Outbound } from "./outbound/outbound.js";
import { createTwilioTransport, DRY_RUN_SMS, type SmsRetryOptions } from "./sms/smsTransport.js";
import { createTwilioMessagesApi, type TwilioMessagesApi } from "./sms/twilioProvider.js";
import { Store } from "./store/store.js";

export interface AppOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
  classify: Classify;
  /** Tests pass a fake Twilio; otherwise it is built from the config when credentials are set. */
  twilioApi?: TwilioMessagesApi;
  /** Tests retry Twilio's 429 and 5xx without waiting (`{ minTimeout: 0 }`). */
  smsRetry?: Partial<SmsRetryOptions>;
}

export interface App {
  server: Server;
  store: Store;
  assembly: Assembly;
  outbound: Outbound;
  /** Ticks by itself every 30 seconds; a test with a moved clock ticks it at once. */
  scheduler: Pick<ReminderScheduler, "tick">;
  /** Resolves once no tick of its own is under way (one a reload or `tid +2d` started, say). */
  betweenTicks(): Promise<void>;
  close(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 3600 * 1000;
/** The contract: the scheduler looks for due reminders at least every 30 seconds. */
const REMINDER_TICK_MS = 30 * 1000;

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Builds every object the bot needs and wires them into the HTTP server. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  // Local mode only: `tid +2d` on the local page moves this clock, which everything reads.
  const localClock = config.localMode ? createAdjustableClock(options.clock) : undefined;
  const clock = localClock?.now ?? options.clock;
  const store = await Store.open({ file: config.dbFile, now: clock, log: (message) => logger.warn(message) });
  try {
    const assembly = await loadAssembly(config.assemblyFile, store, clock);
    // Sessions the file moved or cancelled since the last start get a notice to their members.
    const changes = await store.update((data) => recordScheduleChanges(data, assembly, clock()));
    if (changes > 0) logger.info({ changes }, "sessions were moved or cancelled in the assembly file");
    const twilioApi =
      options.twilioApi ??
      (config.twilio.accountSid && config.twilio.authToken
        ? createTwilioMessagesApi({
            accountSid: config.twilio.accountSid,
            authToken: config.twilio.authToken,
          })
        : undefined);
    const sms = twilioApi
      ? createTwilioTransport(
          {
            api: twilioApi,
            from: config.twilio.from,
            messagingServiceSid: config.twilio.messagingServiceSid,
            statusCallbackUrl: config.publicUrl ? `${config.publicUrl}/api/sms/status` : undefined,
            ratePerSecond: config.twilio.ratePerSecond,
            retry: options.smsRetry,
          },
          logger,
        )
      : DRY_RUN_SMS;
    const cloudAdapter = createCloudAdapter(config);
    const smsAdapter = new SmsAdapter();
    const localAdapter = new LocalChatAdapter(store, clock);
    const organizers = createOrganizerDirectory(config.organizers);
    const translations = createTranslations();
    const outbound = createOutbound({
      store,
      assembly,
      translate: translations.t,
      clock,
      logger,
      organizers,
      sms,
      chat: createChatTransport({
        cloud: cloudAdapter,
        local: localAdapter,
        appId: config.microsoft.appId ?? "",
      }),
    });
    const scheduler = createReminderScheduler({
      store,
      assembly,
      outbound,
      clock,
      logger,
      owner: `${hostname()}:${process.pid}`,
      // About ten seconds of sends at the SMS rate: a crash leaves at most that many uncertain.
      batchSize: reminderBatchSize(config.twilio.ratePerSecond),
    });
    const services: DialogServices = {
      store,
      assembly,
      translate: translations.t,
      clock,
      classify: options.classify,
      logger,
      outbound,
      localClock: localClock && { clock: localClock, tick: () => tick() },
    };
    const betweenTicks = async () => {
      while (ticking) await ticking;
    };
    const { runTurn, runUnordered, turnOrder } = createBotTurns({
      services,
      organizers,
      translate: translations.t,
      logger,
      adapters: [cloudAdapter, smsAdapter, localAdapter],
    });
    const inboundSms = createInboundSmsTurns({
      store,
      adapter: smsAdapter,
      turnOrder,
      // The SMS turns are put in order by the journal, around their journal marks.
      runTurn: runUnordered,
      outbound,
      clock,
      logger,
    });
    const server = createServer({
      config,
      logger,
      clock,
      store,
      cloudAdapter,
      inboundSms,
      localAdapter,
      outbound,
      assembly,
      translate: translations.t,
      runTurn,
      version: VERSION,
      reloadAssembly: createAssemblyReload({
        file: config.assemblyFile,
        store,
        assembly,
        clock,
        logger,
        betweenTicks,
        tick: () => tick(),
      }),
      schedulerStatus: () => ({ running: closing === undefined, ...scheduler.status() }),
    });
    // Messages a crash caught between journal and reply; Twilio will not send them again.
    const recovery = inboundSms.recoverUnfinished().then(
      (count) => count > 0 && logger.info({ count }, "ran sms turns a restart had interrupted"),
      (error: unknown) => logger.error({ err: error }, "could not run the interrupted sms turns"),
    );
    const notices = outbound
      .sendPending()
      .catch((error: unknown) =>
        logger.error({ err: error }, "could not send the organizer notices left from before the restart"),
      );
    const pruning = setInterval(() => {
      store
        .update((data) => pruneInbound(data, clock()))
        .catch((error: unknown) => logger.warn({ err: error }, "could not prune the inbound journal"));
    }, PRUNE_INTERVAL_MS);
    pruning.unref();
    // A reminder interrupted by the last stop is settled before any is sent.
    let ticking: Promise<unknown> | undefined = scheduler
      .recoverInterrupted()
      .then(
        (count) => count > 0 && logger.warn({ count }, "reminders a stop interrupted are marked uncertain"),
      )
      .then(() => scheduler.tick())
      .catch((error: unknown) => logger.error({ err: error }, "the reminder scheduler could not start"))
      .finally(() => (ticking = undefined));
    // A tick that outlasts the interval, or one a reload or `tid` asks for, is not run twice at once.
    const tick = () =>
      (ticking ??= scheduler
        .tick()
        .catch((error: unknown) => logger.error({ err: error }, "the reminder scheduler's tick failed"))
        .finally(() => (ticking = undefined)));
    const reminding = setInterval(() => void tick(), REMINDER_TICK_MS);
    reminding.unref();
    let closing: Promise<void> | undefined;
    return {
      server,
      store,
      assembly,
      outbound,
      scheduler,
      betweenTicks,
      close() {
        clearInterval(pruning);
        clearInterval(reminding);
        closing ??= new Promise<void>((resolve) => server.close(() => resolve()))
          .then(() => Promise.all([recovery, notices, ticking]))
          .then(() => store.close());
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function reminderBatchSize(ratePerSecond: number): number {
  return Math.max(1, Math.min(200, Math.floor(10 * ratePerSecond)));
}
