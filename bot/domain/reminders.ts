import type { Session } from "../assembly/load.js";
import { reminderReply } from "../messages/reminder.js";
import type { DbData, Participant } from "../store/schema.js";
import { findParticipant, recordHistory } from "./participants.js";
import { absentSessionIds } from "./attendance.js";
import { deliveredOn, type DeliveryDeps } from "../outbound/outbound.js";

export type ReminderResult =
  | { status: "sent"; sent: number; skipped: number }
  | { status: "unknown-session" }
  | { status: "session-over" };

/**
 * Reminds every accepted member who has not sent word of absence, and asks "Kommer du?". Their
 * next yes or no is then about this session. Members who opted out get nothing.
 */
export async function sendSessionReminders(deps: DeliveryDeps, sessionId: string): Promise<ReminderResult> {
  const session = deps.assembly.sessions.find((candidate) => candidate.id === sessionId);
  if (!session) return { status: "unknown-session" };
  if (session.end <= deps.clock()) return { status: "session-over" };
  const accepted = deps.store.data.participants.filter(
    (participant) => participant.invitation === "accepted",
  );
  const due = accepted.filter((p) => !p.optedOut && !absentSessionIds(deps.store.data, p.id).has(session.id));
  let sent = 0;
  for (const participant of due) if (await remindParticipant(deps, { participant, session })) sent++;
  return { status: "sent", sent, skipped: accepted.length - sent };
}

/**
 * Sends one member the reminder of a session and makes their next yes or no about it. Returns
 * the channel it went out on, or undefined when it did not go out.
 */
export async function remindParticipant(
  deps: DeliveryDeps,
  { participant, session }: { participant: Participant; session: Session },
): Promise<string | undefined> {
  const channel = deliveredOn(
    await deps.outbound.sendToParticipant({
      participantId: participant.id,
      purpose: "reminder",
      // The organizers' reminder gives the full text, however close the session is.
      build: (ctx) => reminderReply(ctx, session, Number.POSITIVE_INFINITY),
    }),
  );
  if (!channel) return undefined;
  const now = deps.clock();
  await deps.store.update((data) =>
    markReminded(data, { participantId: participant.id, sessionId: session.id, channel }, now),
  );
  return channel;
}

/**
 * After a reminder went out (a draft inside `update`): the member's next yes or no is about
 * this session, and the history says so.
 */
export function markReminded(
  data: DbData,
  { participantId, sessionId, channel }: { participantId: string; sessionId: string; channel: string },
  now: Date,
): void {
  const member = findParticipant(data, participantId);
  // Erased while the reminder went out: there is no one left to wait for.
  if (!member) return;
  member.awaitingSession = { sessionId, askedAt: now.toISOString() };
  recordHistory(
    data,
    { participantId, channel, actor: "system", change: "reminder", detail: { sessionId } },
    now,
  );
}
