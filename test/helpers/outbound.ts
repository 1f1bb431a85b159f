import type { Assembly } from "../../bot/assembly/load.js";
import { createOrganizerDirectory } from "../../bot/domain/organizers.js";
import { createTranslations } from "../../bot/i18n/i18n.js";
import { createLogger, type Logger } from "../../bot/logger.js";
import { createOutbound } from "../../bot/outbound/outbound.js";
import type { ChatTransport, SmsTransport } from "../../bot/outbound/transports.js";
import { DRY_RUN_SMS } from "../../bot/sms/smsTransport.js";
import type { Store } from "../../bot/store/store.js";
import { assemblyWith } from "./reminderAssembly.js";

/** No member in these tests uses a chat: a message that tried one would be a defect. */
export const NO_CHAT: ChatTransport = {
  send: () => Promise.reject(new Error("no chat in this test")),
};

/** The outbound pipeline over a test's store: dry-run SMS and no chat unless given. */
export function createTestOutbound(args: {
  store: Store;
  clock: () => Date;
  assembly?: Assembly;
  sms?: SmsTransport;
  chat?: ChatTransport;
  logger?: Logger;
}) {
  return createOutbound({
    store: args.store,
    clock: args.clock,
    assembly: args.assembly ?? assemblyWith([{ id: "m1", date: "2026-12-15", start: "17:00", end: "21:00" }]),
    translate: createTranslations().t,
    logger: args.logger ?? createLogger({ level: "silent" }),
    organizers: createOrganizerDirectory([]),
    sms: args.sms ?? DRY_RUN_SMS,
    chat: args.chat ?? NO_CHAT,
  });
}
