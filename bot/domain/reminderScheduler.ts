import type { Logger } from "../logger.js";
import type { Participant, ReminderJob } from "../store/schema.js";
import { feedbackRequestReply, nudgeReply, sessionChangeReply } from "../messages/automatic.js";
import { deliveredOn, type DeliveryDeps, type SendToParticipantArgs } from "../outbound/outbound.js";
import { findParticipant } from "./participants.js";
import {
  EXPIRED,
  isQuiet,
  isStillDue,
  planMessages,
  sessionIdOf,
  type PlannedMessage,
} from "./reminderPlan.js";
import { remindParticipant } from "./reminders.js";

export interface ReminderSchedulerDeps extends DeliveryDeps {
  logger: Logger;
  /** Names this process in a claim's lease. */
  owner: string;
}

export interface TickReport {
  sent: number;
  skipped: number;
  failed: number;
}

export interface SchedulerStatus {
  /** The earliest reminder still ahead, after the last tick. */
  nextDueAt?: string;
  /** Due but held back (quiet hours) at the last tick. */
  overdue: number;
  lastTickAt?: string;
}

export type ReminderScheduler = ReturnType<typeof createReminderScheduler>;

/** How long a claim holds; a send takes seconds, and only this process sends today. */
const LEASE_MS = 2 * 60 * 1000;

const byRow = (job: Pick<ReminderJob, "id" | "participantId">) => `${job.id}|${job.participantId}`;

/**
 * Sends the automatic messages (session reminders, invitation nudges, feedback requests) when
 * they are due: once, never inside the quiet hours, never once they are too late. Each tick
 * works out the plan afresh and compares it with the ledger (`reminderJobs`); the claim is
 * written before the send and the outcome after it.
 */
export function createReminderScheduler(deps: ReminderSchedulerDeps) {
  let status: SchedulerStatus = { overdue: 0 };

  /** A new row, or the outcome on the claim. A member erased meanwhile leaves no row behind. */
  async function record(planned: PlannedMessage, fields: Omit<ReminderJob, keyof ReminderKeyFields>) {
    await deps.store.update((data) => {
      const existing = data.reminderJobs.lookup(byRow, byRow(rowOf(planned)));
      if (existing) Object.assign(existing, fields);
      else if (fields.status === "skipped" && findParticipant(data, planned.participantId))
        data.reminderJobs.push({ ...rowOf(planned), ...fields });
    });
  }

  /** Writes the claim, unless the member stopped being due meanwhile (an opt-out or absence wins). */
  async function claim(planned: PlannedMessage, now: Date) {
    return deps.store.update((data) => {
      if (data.reminderJobs.lookup(byRow, byRow(rowOf(planned)))) return undefined;
      const participant = findParticipant(data, planned.participantId);
      if (!participant || !isStillDue(data, participant, planned)) return undefined;
      data.reminderJobs.push({
        ...rowOf(planned),
        status: "sending",
        lease: { owner: deps.owner, until: new Date(now.getTime() + LEASE_MS).toISOString() },
        updatedAt: now.toISOString(),
      });
      return participant;
    });
  }

  async function send(planned: PlannedMessage, now: Date): Promise<keyof TickReport | undefined> {
    const participant = await claim(planned, now);
    if (!participant) return undefined;
    const channel = await deliver(planned, participant).catch((error: unknown) => {
      deps.logger.warn({ err: error, key: planned.key }, "reminder could not be sent");
      return undefined;
    });
    const at = deps.clock().toISOString();
    await record(
      planned,
      channel
        ? { status: "sent", channel, updatedAt: at }
        : { status: "failed", reason: "not-delivered", updatedAt: at },
    );
    return channel ? "sent" : "failed";
  }

  async function deliver(planned: PlannedMessage, participant: Participant): Promise<string | undefined> {
    // The job's own key: a message the outbox has as sent is not sent again.
    const key = byRow(rowOf(planned));
    const send = (build: SendToParticipantArgs["build"]) =>
      deps.outbound
        .sendToParticipant({ participantId: participant.id, purpose: planned.kind, build, key })
        .then(deliveredOn);
    switch (planned.kind) {
      case "reminder":
        return remindParticipant(deps, {
          participant,
          session: planned.session,
          hoursBefore: planned.hoursBefore,
          key,
        });
      case "nudge":
        return send((ctx) => nudgeReply(ctx, planned.deadline));
      case "feedback":
        return send((ctx) => feedbackRequestReply(ctx, planned.session));
      case "session-change":
        return send((ctx) => sessionChangeReply(ctx, planned.from, planned.session));
    }
  }

  return {
    /**
     * A claim left by a process that stopped mid-send may or may not have reached the member;
     * it is marked `uncertain` for the organizers rather than sent a second time.
     */
    async recoverInterrupted(): Promise<number> {
      const at = deps.clock().toISOString();
      return deps.store.update((data) => {
        // filter reads plain rows and drafts only the matches, so a large ledger costs little at start.
        const interrupted = data.reminderJobs.filter((job) => job.status === "sending");
        for (const job of interrupted)
          Object.assign(job, {
            status: "uncertain",
            reason: "stopped-while-sending",
            lease: undefined,
            updatedAt: at,
          });
        return interrupted.length;
      });
    },

    async tick(): Promise<TickReport> {
      const now = deps.clock();
      const { assembly, store } = deps;
      const report: TickReport = { sent: 0, skipped: 0, failed: 0 };
      const open = planMessages(assembly, store.data).filter(
        (planned) => !store.data.reminderJobs.lookup(byRow, byRow(rowOf(planned))),
      );
      const quiet = isQuiet(now, assembly.reminders.quietHours, assembly.timeZone);
      let overdue = 0;
      for (const [planned, reason] of decide(open, now)) {
        if (reason) {
          await record(planned, { status: "skipped", reason, updatedAt: now.toISOString() });
          report.skipped++;
        } else if (quiet) {
          overdue++;
        } else {
          const outcome = await send(planned, now);
          if (outcome) report[outcome]++;
        }
      }
      const ahead = open.filter((planned) => !planned.skip && planned.dueAt > now);
      const next = ahead.reduce<Date | undefined>(
        (min, p) => (!min || p.dueAt < min ? p.dueAt : min),
        undefined,
      );
      status = { nextDueAt: next?.toISOString(), overdue, lastTickAt: now.toISOString() };
      if (report.sent + report.failed + report.skipped > 0) deps.logger.info({ ...report }, "reminders");
      return report;
    },

    status(): SchedulerStatus {
      return status;
    },
  };
}

type ReminderKeyFields = Pick<ReminderJob, "id" | "participantId" | "sessionId" | "kind" | "plannedFor">;

function rowOf(planned: PlannedMessage): ReminderKeyFields {
  return {
    id: planned.key,
    participantId: planned.participantId,
    sessionId: sessionIdOf(planned),
    kind: planned.kind,
    plannedFor: planned.plannedFor.toISOString(),
  };
}

/**
 * The messages whose moment has come, each with the reason it is skipped, if it is. Of a
 * member's reminders for one session only the latest due one goes out (after a long stop the
 * 48-hour one is not sent beside the 3-hour one), and nothing once it is too late.
 */
function decide(open: PlannedMessage[], now: Date): Array<[PlannedMessage, string | undefined]> {
  const due = open.filter((planned) => planned.plannedFor <= now);
  const latest = new Map<string, PlannedMessage>();
  // A member's reminders of one session, and the notices of changes to one session, each
  // count as one: only the latest due goes out.
  const group = (planned: PlannedMessage) =>
    planned.kind === "reminder" || planned.kind === "session-change"
      ? `${planned.kind}|${sessionIdOf(planned)}|${planned.participantId}`
      : undefined;
  for (const planned of due) {
    const key = group(planned);
    if (!key) continue;
    const current = latest.get(key);
    if (!current || planned.plannedFor > current.plannedFor) latest.set(key, planned);
  }
  return due
    .filter((planned) => planned.dueAt <= now || planned.skip)
    .map((planned) => {
      if (planned.skip) return [planned, planned.skip];
      if (now >= planned.expiresAt) return [planned, EXPIRED[planned.kind]];
      const key = group(planned);
      if (key && latest.get(key) !== planned) return [planned, "superseded"];
      return [planned, undefined];
    });
}
