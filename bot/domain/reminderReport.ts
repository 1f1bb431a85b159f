import type { Assembly } from "../assembly/load.js";
import type { DbData, ReminderJob } from "../store/schema.js";
import { findParticipant } from "./participants.js";
import { planMessages, sessionIdOf } from "./reminderPlan.js";

export interface ReminderReportRow {
  /** None for an invitation nudge, which is about the assembly. */
  sessionId?: string;
  kind: string;
  participantId: string;
  name?: string;
  /** `planned` for what is still ahead; otherwise the ledger's status. */
  status: "planned" | ReminderJob["status"];
  plannedFor: string;
  /** For planned rows: when it may go out, after the quiet hours. */
  dueAt?: string;
  updatedAt?: string;
  reason?: string;
  channel?: string;
}

/**
 * Everything the scheduler did (sent, skipped, failed, uncertain) and everything still
 * planned, in time order per session, for the organizers.
 */
export function reminderReport(assembly: Assembly, data: DbData, filter: { sessionId?: string } = {}) {
  const nameOf = (participantId: string) => findParticipant(data, participantId)?.name;
  const done = data.reminderJobs
    .filter((job) => !filter.sessionId || job.sessionId === filter.sessionId)
    .map((job): ReminderReportRow => ({
      sessionId: job.sessionId,
      kind: job.kind,
      participantId: job.participantId,
      name: nameOf(job.participantId),
      status: job.status,
      plannedFor: job.plannedFor,
      updatedAt: job.updatedAt,
      reason: job.reason,
      channel: job.channel,
    }));
  const recorded = new Set(data.reminderJobs.map((job) => `${job.id}|${job.participantId}`));
  const planned = planMessages(assembly, data)
    .filter((plan) => !recorded.has(`${plan.key}|${plan.participantId}`))
    .map((plan): ReminderReportRow => ({
      sessionId: sessionIdOf(plan),
      kind: plan.kind,
      participantId: plan.participantId,
      name: nameOf(plan.participantId),
      status: plan.skip ? "skipped" : "planned",
      plannedFor: plan.plannedFor.toISOString(),
      dueAt: plan.dueAt.toISOString(),
      reason: plan.skip,
    }))
    .filter((row) => !filter.sessionId || row.sessionId === filter.sessionId);
  const order = new Map(assembly.sessions.map((session, index) => [session.id, index]));
  // The invitation nudge first: it comes before every session.
  const place = (row: ReminderReportRow) =>
    row.sessionId === undefined ? -1 : (order.get(row.sessionId) ?? Infinity);
  return [...done, ...planned].sort(
    (a, b) =>
      place(a) - place(b) ||
      a.plannedFor.localeCompare(b.plannedFor) ||
      (a.name ?? "").localeCompare(b.name ?? "", "da"),
  );
}
