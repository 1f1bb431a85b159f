import type { Session } from "../assembly/load.js";
import { reminderReply } from "../messages/reminder.js";
import type { Participant } from "../store/schema.js";
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
  {
    participant,
    session,
    hoursBefore = Number.POSITIVE_INFINITY,
    key,
  }: {
    participant: Participant;
    session: Session;
    /** How long before the start it goes out; the organizers' reminder gives the full text. */
    hoursBefore?: number;
    /** The scheduler's job key; an organizer's reminder may be sent again. */
    key?: string;
  },
): Promise<string | undefined> {
  const channel = deliveredOn(
    await deps.outbound.sendToParticipant({
      participantId: participant.id,
      purpose: "reminder",
      build: (ctx) => reminderReply(ctx, session, hoursBefore),
      key,
    }),
  );
  if (!channel) return undefined;
  const now = deps.clock();
  await deps.store.update((data) => {
    const member = findParticipant(data, participant.id);
    // Erased while the reminder went out: there is no one left to wait for.
    if (!member) return;
    member.awaitingSession = { sessionId: session.id, askedAt: now.toISOString() };
    recordHistory(
      data,
      {
        participantId: participant.id,
        channel,
        actor: "system",
        change: "reminder",
        detail: { sessionId: session.id },
      },
      now,
    );
  });
  return channel;
}
