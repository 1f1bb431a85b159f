import type { Assembly } from "../assembly/load.js";
import type { MemberMessenger } from "./memberMessenger.js";
import type { Language, Translate } from "../i18n/i18n.js";
import type { MessageContext } from "../messages/context.js";
import type { Reply } from "../messages/reply.js";
import type { SmsSender } from "../sms/smsSender.js";
import type { Participant } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { findParticipant } from "./participants.js";

const byParticipant = (ref: { participantId: string }) => ref.participantId;
/** The channel id of SMS conversations; a reminder by SMS goes through the sender, not a chat. */
const SMS_CHANNEL = "sms";

export interface DeliveryDeps {
  store: Store;
  assembly: Assembly;
  messenger: MemberMessenger;
  smsSender: SmsSender;
  translate: (language: Language) => Translate;
  clock: () => Date;
}

/**
 * Sends a message the bot starts (invitation, reminder): in the chat the member used last
 * (Teams, Web Chat, the local page), else by SMS to their phone. Returns the channel it went
 * out on, or undefined if it did not.
 */
export async function deliverToParticipant(
  deps: DeliveryDeps,
  listed: Participant,
  purpose: string,
  build: (ctx: MessageContext) => Reply,
): Promise<string | undefined> {
  // The caller's list was read before earlier sends were awaited: the member may have been
  // erased since, and their phone would then get a message from a list they left. (An
  // opt-out since is refused, and kept as blocked in the outbox, by the senders.)
  const participant = findParticipant(deps.store.data, listed.id);
  if (!participant) return undefined;
  const base = {
    t: deps.translate(participant.language),
    language: participant.language,
    assembly: deps.assembly,
    now: deps.clock(),
  };
  // A conversation the Bot Connector refused for good (403/404) does not count: the member
  // removed the bot, and the phone is the way to reach them until they write there again.
  const chat = deps.store.data.conversationRefs
    .lookupAll(byParticipant, participant.id)
    .filter((ref) => ref.channel !== SMS_CHANNEL && !ref.unusableSince)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  if (chat) {
    const result = await deps.messenger.sendToMember({
      participantId: participant.id,
      channel: chat.channel,
      reply: build({ ...base, sms: false }),
      purpose,
    });
    if (result.status === "sent") return chat.channel;
    // Refused on purpose (opted out, erased): no other channel either.
    if (result.status === "blocked") return undefined;
    // Teams failed: for good (403/404, the conversation is now marked unusable) or for now
    // (service down, the conversation is kept); either way the phone still reaches them.
  }
  if (!participant.phone) return undefined;
  const result = await deps.smsSender.sendSms({
    to: participant.phone,
    body: build({ ...base, sms: true }).text,
    purpose,
  });
  return result.status === "sent" || result.status === "dry-run" ? "sms" : undefined;
}
