import type { Assembly } from "../assembly/load.js";
import type { DbData, ReminderJob } from "../store/schema.js";
import { findParticipant } from "./participants.js";
import { planSessionReminders } from "./reminderPlan.js";

export interface ReminderReportRow {
  sessionId: string;
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
  const planned = planSessionReminders(assembly, data)
    .filter((plan) => !filter.sessionId || plan.session.id === filter.sessionId)
    .filter((plan) => !recorded.has(`${plan.key}|${plan.participantId}`))
    .map((plan): ReminderReportRow => ({
      sessionId: plan.session.id,
      kind: "reminder",
      participantId: plan.participantId,
      name: nameOf(plan.participantId),
      status: plan.skip ? "skipped" : "planned",
      plannedFor: plan.plannedFor.toISOString(),
      dueAt: plan.dueAt.toISOString(),
      reason: plan.skip,
    }));
  const order = new Map(assembly.sessions.map((session, index) => [session.id, index]));
  return [...done, ...planned].sort(
    (a, b) =>
      (order.get(a.sessionId) ?? Infinity) - (order.get(b.sessionId) ?? Infinity) ||
      a.plannedFor.localeCompare(b.plannedFor) ||
      (a.name ?? "").localeCompare(b.name ?? "", "da"),
  );
}
