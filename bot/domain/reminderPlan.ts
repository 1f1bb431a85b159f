import { TZDate } from "@date-fns/tz";
import type { Assembly, Session } from "../assembly/load.js";
import type { DbData, Participant } from "../store/schema.js";
import { absentSessionIds } from "./attendance.js";

/**
 * What the automatic reminders should be, worked out from the assembly file and the members
 * as they are now. Nothing about the plan is stored: the scheduler keeps a ledger of what it
 * attempted, sent or skipped, keyed like the plan, so a moved session, a late acceptance or
 * a new file simply gives a new plan, and a reminder for an old time can never come due.
 */

/** The outbox `purpose` of each automatic message, and the ledger's `kind`. */
export type AutomaticKind = "reminder" | "nudge" | "feedback" | "session-change";

interface Planned {
  /**
   * What it is about and when that is: a moved session gets new keys. With the member's id it
   * names the ledger row (which a merge of two records carries over).
   */
  key: string;
  participantId: string;
  /** The wall-clock moment it is meant for. */
  plannedFor: Date;
  /** When it may go out: `plannedFor`, or the end of the quiet hours it falls in. */
  dueAt: Date;
  /** After this it is not sent: the session began, the deadline passed, the evening is long over. */
  expiresAt: Date;
  /** Set when it cannot go out before `expiresAt`; the scheduler records the skip. */
  skip?: SkipReason;
}

export type SkipReason = "session-begun" | "deadline-passed" | "too-late";

/** Why a message of each kind that comes too late is skipped. */
export const EXPIRED: Record<AutomaticKind, SkipReason> = {
  reminder: "session-begun",
  nudge: "deadline-passed",
  feedback: "too-late",
  "session-change": "session-begun",
};

export interface PlannedReminder extends Planned {
  kind: "reminder";
  session: Session;
  hoursBefore: number;
}

/** One follow-up to a member who has not answered the invitation, before the RSVP deadline. */
export interface PlannedNudge extends Planned {
  kind: "nudge";
  /** The last day to answer, YYYY-MM-DD. */
  deadline: string;
}

/** Thanks the members who were there, and opens the feedback, after a session. */
export interface PlannedFeedback extends Planned {
  kind: "feedback";
  session: Session;
}

/** One notice that a session was moved or cancelled, to those who would have been reminded. */
export interface PlannedSessionChange extends Planned {
  kind: "session-change";
  sessionId: string;
  /** The start it had. */
  from: Date;
  /** The session as it is now; absent or cancelled when it was cancelled. */
  session?: Session;
  /** When the change was found: of two changes to one session only the later is told. */
  seenAt: Date;
}

export type PlannedMessage = PlannedReminder | PlannedNudge | PlannedFeedback | PlannedSessionChange;

/** Nudges and reminders that are not about an hour go out in the morning, for members of every age. */
const NUDGE_HOUR = 10;
/** A feedback request later than this after the session is not worth sending. */
const FEEDBACK_WINDOW_MS = 24 * 3600 * 1000;

/** Everything automatic that the assembly file and the members call for. */
export function planMessages(assembly: Assembly, data: DbData): PlannedMessage[] {
  return [
    ...planSessionReminders(assembly, data),
    ...planInvitationNudges(assembly, data),
    ...planFeedbackRequests(assembly, data),
    ...planSessionChangeNotices(assembly, data),
  ];
}

/**
 * A notice for each session the file moved or cancelled while it was ahead, at the next
 * allowed hour, to the members who would have been reminded; too late once the old or the new
 * start has come.
 */
export function planSessionChangeNotices(assembly: Assembly, data: DbData): PlannedSessionChange[] {
  const { quietHours } = assembly.reminders;
  const members = data.participants.filter((participant) => participant.invitation === "accepted");
  return data.sessionChanges.toArray().flatMap((change) => {
    const session = assembly.sessions.find((candidate) => candidate.id === change.sessionId);
    const from = new Date(change.from);
    // Moved back to where it was: nothing to tell.
    if (session && !session.cancelled && session.start.getTime() === from.getTime()) return [];
    const seenAt = new Date(change.seenAt);
    const dueAt = endOfQuietHours(seenAt, quietHours, assembly.timeZone);
    const moved = session && !session.cancelled ? session.start : undefined;
    const expiresAt = moved && moved < from ? moved : from;
    return members
      .filter((participant) => isRemindable(data, participant, change.sessionId))
      .map((participant) => ({
        kind: "session-change" as const,
        key: `session-change:${change.sessionId}@${change.from}:${change.seenAt}`,
        participantId: participant.id,
        sessionId: change.sessionId,
        from,
        session,
        seenAt,
        plannedFor: seenAt,
        dueAt,
        ...expiry("session-change", dueAt, expiresAt),
      }));
  });
}

export interface QuietHours {
  start: string;
  end: string;
}

export function reminderKey(session: Session, hoursBefore: number): string {
  return `reminder:${session.id}@${session.start.toISOString()}:${hoursBefore}h`;
}

export function planSessionReminders(assembly: Assembly, data: DbData): PlannedReminder[] {
  const { hoursBefore, quietHours } = assembly.reminders;
  const members = data.participants.filter((participant) => participant.invitation === "accepted");
  const plan: PlannedReminder[] = [];
  for (const session of assembly.sessions) {
    if (session.cancelled) continue;
    const moments = hoursBefore.map((hours) => {
      const plannedFor = wallClockBefore(session.start, hours, assembly.timeZone);
      return { hours, plannedFor, dueAt: endOfQuietHours(plannedFor, quietHours, assembly.timeZone) };
    });
    for (const participant of members) {
      if (!isRemindable(data, participant, session.id)) continue;
      for (const { hours, plannedFor, dueAt } of moments) {
        // A member who accepted late gets only the reminders still ahead of them.
        if (participant.invitationAt && plannedFor.toISOString() < participant.invitationAt) continue;
        plan.push({
          kind: "reminder",
          key: reminderKey(session, hours),
          participantId: participant.id,
          session,
          hoursBefore: hours,
          plannedFor,
          dueAt,
          ...expiry("reminder", dueAt, session.start),
        });
      }
    }
  }
  return plan;
}

/**
 * Invited members who have not answered (a question is no answer), `invitationNudgeDaysBefore`
 * days before the RSVP deadline at 10:00. Once only, whatever later changes to the deadline.
 */
export function planInvitationNudges(assembly: Assembly, data: DbData): PlannedNudge[] {
  const deadline = assembly.rsvpDeadline;
  if (!deadline) return [];
  const { invitationNudgeDaysBefore: days, quietHours } = assembly.reminders;
  const [year, month, day] = deadline.split("-").map(Number) as [number, number, number];
  const plannedFor = new Date(
    new TZDate(year, month - 1, day - days, NUDGE_HOUR, 0, assembly.timeZone).getTime(),
  );
  const dueAt = endOfQuietHours(plannedFor, quietHours, assembly.timeZone);
  const deadlineEnds = new Date(new TZDate(year, month - 1, day + 1, 0, 0, assembly.timeZone).getTime());
  return data.participants
    .filter((participant) => isNudgeable(participant))
    .filter(
      (participant) => !participant.invitationAt || participant.invitationAt <= plannedFor.toISOString(),
    )
    .map((participant) => ({
      kind: "nudge" as const,
      key: "nudge",
      participantId: participant.id,
      deadline,
      plannedFor,
      dueAt,
      ...expiry("nudge", dueAt, deadlineEnds),
    }));
}

/**
 * `feedbackDelayMinutes` after each session ends, to the members who were there: until check-in
 * is recorded, those who accepted and sent no word of absence. After the quiet hours it goes
 * the next morning; a day after the session it is no longer sent.
 */
export function planFeedbackRequests(assembly: Assembly, data: DbData): PlannedFeedback[] {
  const { feedbackDelayMinutes, quietHours } = assembly.reminders;
  const members = data.participants.filter((participant) => participant.invitation === "accepted");
  return assembly.sessions
    .filter((session) => !session.cancelled)
    .flatMap((session) => {
      const plannedFor = new Date(session.end.getTime() + feedbackDelayMinutes * 60_000);
      const dueAt = endOfQuietHours(plannedFor, quietHours, assembly.timeZone);
      const expiresAt = new Date(session.end.getTime() + FEEDBACK_WINDOW_MS);
      return members
        .filter((participant) => isRemindable(data, participant, session.id))
        .map((participant) => ({
          kind: "feedback" as const,
          key: `feedback:${session.id}@${session.start.toISOString()}`,
          participantId: participant.id,
          session,
          plannedFor,
          dueAt,
          ...expiry("feedback", dueAt, expiresAt),
        }));
    });
}

/** The session a message is about; an invitation nudge is about the assembly. */
export function sessionIdOf(planned: PlannedMessage): string | undefined {
  if (planned.kind === "nudge") return undefined;
  return planned.kind === "session-change" ? planned.sessionId : planned.session.id;
}

/** Whether a planned message is still for this member, as they are now. Checked again at sending. */
export function isStillDue(data: DbData, participant: Participant, planned: PlannedMessage): boolean {
  const sessionId = sessionIdOf(planned);
  return sessionId === undefined ? isNudgeable(participant) : isRemindable(data, participant, sessionId);
}

function expiry(kind: AutomaticKind, dueAt: Date, expiresAt: Date): Pick<Planned, "expiresAt" | "skip"> {
  return dueAt >= expiresAt ? { expiresAt, skip: EXPIRED[kind] } : { expiresAt };
}

function isNudgeable(participant: Participant): boolean {
  return participant.invitation === "invited" && !participant.optedOut;
}

/** Accepted, not opted out, and no word of absence for this session. Checked again at sending. */
export function isRemindable(data: DbData, participant: Participant, sessionId: string): boolean {
  return (
    participant.invitation === "accepted" &&
    !participant.optedOut &&
    !absentSessionIds(data, participant.id).has(sessionId)
  );
}

/**
 * `hours` before `start` on the wall clock: whole days go back by the calendar, so "48 hours
 * before" a session on the Sunday after a DST change is the same local hour two days before.
 */
export function wallClockBefore(start: Date, hours: number, timeZone: string): Date {
  const local = new TZDate(start.getTime(), timeZone);
  const days = Math.floor(hours / 24);
  const minutes = Math.round((hours - days * 24) * 60);
  const shifted = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() - days,
    local.getHours(),
    local.getMinutes() - minutes,
    timeZone,
  );
  return new Date(shifted.getTime());
}

export function isQuiet(at: Date, quiet: QuietHours, timeZone: string): boolean {
  const local = new TZDate(at.getTime(), timeZone);
  const now = minutesOf(`${local.getHours()}:${local.getMinutes()}`);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  // A window over midnight (21:00-08:00) is quiet after its start or before its end.
  return start > end ? now >= start || now < end : now >= start && now < end;
}

/** `at` itself outside the quiet hours, else the moment they end. */
export function endOfQuietHours(at: Date, quiet: QuietHours, timeZone: string): Date {
  if (!isQuiet(at, quiet, timeZone)) return at;
  const local = new TZDate(at.getTime(), timeZone);
  const [hour, minute] = quiet.end.split(":").map(Number) as [number, number];
  const sameDay = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), hour, minute, timeZone);
  const end =
    sameDay.getTime() > at.getTime()
      ? sameDay
      : new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + 1, hour, minute, timeZone);
  return new Date(end.getTime());
}

function minutesOf(clock: string): number {
  const [hour, minute] = clock.split(":").map(Number) as [number, number];
  return hour * 60 + minute;
}
