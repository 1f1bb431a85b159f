import { findConversation } from "../domain/conversations.js";
import { findParticipant, recordHistory } from "../domain/participants.js";
import type { ConversationRef, DbData, Participant } from "../store/schema.js";

/** The channel id of SMS; an SMS goes to the member's phone through the SMS transport. */
export const SMS_CHANNEL = "sms";

/** Where a message can go: a stored chat conversation, or a phone number. */
export type Route =
  { channel: string; ref: ConversationRef } | { channel: typeof SMS_CHANNEL; phone: string };

// Constant key functions, so the table's per-chunk indexes are built once and reused.
const byParticipant = (ref: ConversationRef) => ref.participantId;
const byChannelKey = (ref: ConversationRef) => `${ref.channel}\u0000${ref.key}`;

/** A conversation the Bot Connector refused for good is never picked again. */
const usable = (ref: ConversationRef) => !ref.unusableSince;
const newestFirst = (a: ConversationRef, b: ConversationRef) => b.updatedAt.localeCompare(a.updatedAt);

/**
 * The one rule for reaching a member, in the order to try: the chat `preferred` names (the
 * channel a question came from) or else the chat they used last (Teams, Web Chat, the local
 * page), then their phone. A chat that fails falls back to the phone; `preferred` "sms" is the
 * phone only.
 */
export function chooseRoutes(data: DbData, participant: Participant, preferred?: string): Route[] {
  const refs = data.conversationRefs
    .lookupAll(byParticipant, participant.id)
    .filter(usable)
    .sort(newestFirst);
  const chats = refs.filter((ref) => ref.channel !== SMS_CHANNEL);
  const chat =
    preferred === SMS_CHANNEL ? undefined : (chats.find((ref) => ref.channel === preferred) ?? chats[0]);
  const phone = participant.phone ?? refs.find((ref) => ref.channel === SMS_CHANNEL)?.key;
  return [
    ...(chat ? [{ channel: chat.channel, ref: chat }] : []),
    ...(phone ? [{ channel: SMS_CHANNEL, phone } as const] : []),
  ];
}

/** The newest usable conversation on `channel` with `key` (an organizer's Teams chat, say). */
export function findUsableConversation(
  data: DbData,
  channel: string,
  key: string,
): ConversationRef | undefined {
  return data.conversationRefs
    .lookupAll(byChannelKey, `${channel}\u0000${key}`)
    .filter(usable)
    .sort(newestFirst)[0];
}

/** Where a route's messages go, as the outbox shows it. */
export const addressOf = (route: Route) => ("ref" in route ? route.ref.key : route.phone);

/** Marks the stored entry for `ref`'s conversation unusable, and tells the history why. */
export function markUnusable(data: DbData, ref: ConversationRef, reason: string, now: Date): void {
  const stored = findConversation(data, ref);
  // Erased, or the member wrote in again (a fresh reference) while the send was on its way.
  if (!stored || stored.updatedAt !== ref.updatedAt || stored.unusableSince) return;
  Object.assign(stored, { unusableSince: now.toISOString(), unusableReason: reason });
  if (findParticipant(data, stored.participantId))
    recordHistory(
      data,
      {
        participantId: stored.participantId,
        channel: stored.channel,
        actor: "system",
        change: "conversation-unusable",
        detail: { reason },
      },
      now,
    );
}
