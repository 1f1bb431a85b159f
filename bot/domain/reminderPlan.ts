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

export interface PlannedReminder {
  /**
   * Session id, its start and the hours before it: a moved session gets new keys. With the
   * member's id it names the ledger row (which a merge of two records carries over).
   */
  key: string;
  participantId: string;
  session: Session;
  hoursBefore: number;
  /** The wall-clock moment `hoursBefore` before the start. */
  plannedFor: Date;
  /** When it may go out: `plannedFor`, or the end of the quiet hours it falls in. */
  dueAt: Date;
  /** Set when it must not go out at all; the scheduler records the skip. */
  skip?: "session-begun";
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
      const dueAt = endOfQuietHours(plannedFor, quietHours, assembly.timeZone);
      return { hours, plannedFor, dueAt, begun: dueAt >= session.start };
    });
    for (const participant of members) {
      if (!isRemindable(data, participant, session)) continue;
      for (const { hours, plannedFor, dueAt, begun } of moments) {
        // A member who accepted late gets only the reminders still ahead of them.
        if (participant.invitationAt && plannedFor.toISOString() < participant.invitationAt) continue;
        plan.push({
          key: reminderKey(session, hours),
          participantId: participant.id,
          session,
          hoursBefore: hours,
          plannedFor,
          dueAt,
          ...(begun ? { skip: "session-begun" as const } : {}),
        });
      }
    }
  }
  return plan;
}

/** Accepted, not opted out, and no word of absence for this session. Checked again at sending. */
export function isRemindable(data: DbData, participant: Participant, session: Session): boolean {
  return (
    participant.invitation === "accepted" &&
    !participant.optedOut &&
    !absentSessionIds(data, participant.id).has(session.id)
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
