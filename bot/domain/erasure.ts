import { createHmac, randomUUID } from "node:crypto";
import type { DbData } from "../store/schema.js";
import { conversationIdOf } from "./conversations.js";
import { ANONYMOUS_ID_PREFIX } from "./participants.js";

export type Actor = "member" | "organizer";

/**
 * Erases a person (GDPR art. 17). Everything that identifies them goes: their record, channel
 * identities, conversation references and dialog state, what they wrote, and their phone in
 * the outbox. What counts (attendance, ratings, how many messages went out) stays, under an
 * anonymous id, so the organizers' aggregate figures do not change.
 */
export function eraseParticipant(
  data: DbData,
  erasure: { participantId: string; actor: Actor; now: Date; secret: Buffer },
): boolean {
  const { participantId, actor, now, secret } = erasure;
  const participant = data.participants.find((p) => p.id === participantId);
  if (!participant) return false;
  const anonymousId = `${ANONYMOUS_ID_PREFIX}${randomUUID()}`;
  // botbuilder keys conversation state as "<channelId>/conversations/<conversationId>/<namespace>".
  const stateKeyPrefixes = data.conversationRefs
    .filter((ref) => ref.participantId === participantId)
    .map((ref) => `${ref.channel}/conversations/${conversationIdOf(ref)}/`);
  const keys = new Set(
    data.identities
      .filter((identity) => identity.participantId === participantId)
      .map((identity) => identity.key),
  );

  data.participants.removeWhere((p) => p.id === participantId);
  data.identities.removeWhere((identity) => identity.participantId === participantId);
  data.conversationRefs.removeWhere((ref) => ref.participantId === participantId);
  data.botState.removeWhere((item) => stateKeyPrefixes.some((prefix) => item.key.startsWith(prefix)));
  data.localDeliveries.removeWhere((delivery) => keys.has(delivery.userId));
  for (const entry of data.attendance)
    if (entry.participantId === participantId)
      Object.assign(entry, { participantId: anonymousId, reason: undefined });
  for (const entry of data.feedback)
    if (entry.participantId === participantId)
      Object.assign(entry, { participantId: undefined, text: undefined });
  // What was sent to them is theirs; with them gone, nothing is planned for them either.
  data.reminderJobs.removeWhere((job) => job.participantId === participantId);
  for (const message of data.outbox) {
    if (message.participantId === participantId || (participant.phone && message.to === participant.phone)) {
      Object.assign(message, {
        participantId: undefined,
        to: "[slettet]",
        text: "[slettet]",
        error: undefined,
      });
    }
    if (message.aboutParticipantId === participantId)
      Object.assign(message, { aboutParticipantId: undefined, text: "[slettet]" });
  }
  for (const item of data.inbox)
    if (item.participantId === participantId)
      Object.assign(item, {
        participantId: undefined,
        text: "[slettet]",
        answer: item.answer && "[slettet]",
      });
  for (const event of data.history)
    if (event.participantId === participantId)
      Object.assign(event, { participantId: anonymousId, detail: undefined });
  // The journal keeps a message only until its turn is done; what is still there goes now.
  for (const entry of data.inbound)
    if (participant.phone && entry.from === participant.phone)
      Object.assign(entry, {
        from: undefined,
        body: undefined,
        status: entry.status === "received" ? "failed" : entry.status,
      });
  if (participant.phone && (actor === "member" || participant.optedOut)) {
    data.suppressedPhones.push(hashPhone(participant.phone, secret));
  }
  data.history.push({ at: now.toISOString(), participantId: anonymousId, actor, change: "erased" });
  return true;
}

/** Keyed, so the list of erased numbers cannot be reversed by trying all 10^8 Danish numbers. */
export function hashPhone(phone: string, secret: Buffer): string {
  return createHmac("sha256", secret).update(phone).digest("hex");
}
