import type { Assembly } from "../assembly/load.js";
import type { DbData, Participant } from "../store/schema.js";
import { mustFindParticipant, recordHistory } from "./participants.js";

export type InvitationAnswer = "accepted" | "declined" | "maybe";
export type SessionStatus = "attending" | "absent";

export interface ChangeSource {
  channel?: string;
  actor: "member" | "organizer" | "system";
}

/**
 * Mutators on invitations and attendance. Each change is kept in the history with its source.
 * They take the participant's id and look the record up in the data they change, because an
 * object read earlier may have been merged or erased meanwhile.
 */

export function setInvitation(
  data: DbData,
  participantId: string,
  answer: Participant["invitation"],
  source: ChangeSource,
  now: Date,
): void {
  const participant = mustFindParticipant(data, participantId);
  if (participant.invitation === answer) return;
  const from = participant.invitation;
  participant.invitation = answer;
  participant.invitationAt = now.toISOString();
  recordHistory(
    data,
    { participantId: participant.id, ...source, change: "invitation", detail: { from, to: answer } },
    now,
  );
}

export function setAttendance(
  data: DbData,
  change: { participantId: string; sessionId: string; status: SessionStatus; reason?: string },
  source: ChangeSource,
  now: Date,
): void {
  mustFindParticipant(data, change.participantId);
  const existing = data.attendance.find(
    (entry) => entry.participantId === change.participantId && entry.sessionId === change.sessionId,
  );
  const entry = { ...change, updatedAt: now.toISOString() };
  if (existing) Object.assign(existing, entry, change.status === "attending" ? { reason: undefined } : {});
  else data.attendance.push(entry);
  recordHistory(
    data,
    {
      participantId: change.participantId,
      ...source,
      change: "attendance",
      detail: { sessionId: change.sessionId, status: change.status },
    },
    now,
  );
}

export function setNeeds(
  data: DbData,
  participantId: string,
  needs: string,
  source: ChangeSource,
  now: Date,
): void {
  const participant = mustFindParticipant(data, participantId);
  participant.needs = needs;
  recordHistory(data, { participantId: participant.id, ...source, change: "needs" }, now);
}

export function setOptOut(
  data: DbData,
  participantId: string,
  optedOut: boolean,
  source: ChangeSource,
  now: Date,
): void {
  const participant = mustFindParticipant(data, participantId);
  if (participant.optedOut === optedOut) return;
  participant.optedOut = optedOut;
  recordHistory(
    data,
    { participantId: participant.id, ...source, change: optedOut ? "opted-out" : "opted-in" },
    now,
  );
}

const byParticipant = (entry: { participantId: string }) => entry.participantId;

export function absentSessionIds(data: DbData, participantId: string): Set<string> {
  return new Set(
    data.attendance
      .lookupAll(byParticipant, participantId)
      .filter((entry) => entry.status === "absent")
      .map((entry) => entry.sessionId),
  );
}

export type InvitationStatus = Participant["invitation"] | "opted_out";

export interface AttendanceRow {
  id: string;
  name?: string;
  phone?: string;
  invitation: InvitationStatus;
  sessions: Record<string, "attending" | "absent" | "unknown">;
  reasons: Record<string, string>;
  needs?: string;
}

/** One row per participant on the organizers' list (people who only wrote in are not on it). */
export function attendanceReport(data: DbData, assembly: Assembly): AttendanceRow[] {
  return data.participants
    .filter((participant) => participant.onList)
    .map((participant) => {
      const entries = data.attendance.lookupAll(byParticipant, participant.id);
      const sessions = Object.fromEntries(
        assembly.sessions.map((session) => [
          session.id,
          entries.find((entry) => entry.sessionId === session.id)?.status ?? "unknown",
        ]),
      ) as AttendanceRow["sessions"];
      const reasons = Object.fromEntries(
        entries.filter((entry) => entry.reason).map((entry) => [entry.sessionId, entry.reason!]),
      );
      return {
        id: participant.id,
        name: participant.name,
        phone: participant.phone,
        invitation: participant.optedOut ? "opted_out" : participant.invitation,
        sessions,
        reasons,
        needs: participant.needs,
      };
    });
}
