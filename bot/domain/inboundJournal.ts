import type { DbData, InboundMessage } from "../store/schema.js";
import { addHandoff } from "./handoff.js";
import { findParticipantByPhone } from "./participants.js";

/**
 * The inbound journal's rules. An SMS is journaled before Twilio is answered and marked done
 * in the commit of its turn; what a crash leaves unfinished is run again at the next start.
 */

/** A message whose turn failed this many times is handed to the organizers instead. */
export const MAX_ATTEMPTS = 3;
/** Twilio redelivers within minutes; a week covers any retry and keeps little. */
export const INBOUND_RETENTION_MS = 7 * 24 * 3600 * 1000;

const bySid = (entry: InboundMessage) => entry.sid;

export function findInbound(data: DbData, sid: string): InboundMessage | undefined {
  return data.inbound.lookup(bySid, sid);
}

export function journalInbound(
  data: DbData,
  message: { sid: string; channel: string; from: string; body: string },
  now: Date,
): void {
  if (findInbound(data, message.sid)) return;
  data.inbound.push({ ...message, receivedAt: now.toISOString(), status: "received", attempts: 0 });
}

/** Counted inside the turn's own commit, so a turn that crashes the process is counted too. */
export function countAttempt(data: DbData, sid: string): number {
  const entry = findInbound(data, sid);
  if (!entry) return 0;
  entry.attempts++;
  return entry.attempts;
}

/** Done: only the sid stays, to know a redelivery when it comes. */
export function finishInbound(data: DbData, sid: string, now: Date): void {
  const entry = findInbound(data, sid);
  if (!entry) return;
  Object.assign(entry, { status: "done", doneAt: now.toISOString(), from: undefined, body: undefined });
}

/** A message that failed every time still reaches a person: the organizers' inbox. */
export function giveUpInbound(data: DbData, sid: string, now: Date): void {
  const entry = findInbound(data, sid);
  if (!entry) return;
  const participant = entry.from ? findParticipantByPhone(data, entry.from) : undefined;
  if (participant && entry.body) {
    addHandoff(
      data,
      { participantId: participant.id, channel: entry.channel, text: entry.body, reason: "not-processed" },
      now,
    );
  }
  Object.assign(entry, { status: "failed", doneAt: now.toISOString(), from: undefined, body: undefined });
}

export function unfinishedInbound(data: DbData): InboundMessage[] {
  return data.inbound.filter((entry) => entry.status === "received");
}

export function pruneInbound(data: DbData, now: Date): number {
  return data.inbound.removeWhere(
    (entry) =>
      entry.status !== "received" &&
      now.getTime() - Date.parse(entry.doneAt ?? entry.receivedAt) >= INBOUND_RETENTION_MS,
  );
}
