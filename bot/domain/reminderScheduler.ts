import type { Logger } from "../logger.js";
import type { ReminderJob } from "../store/schema.js";
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
import { markReminded } from "./reminders.js";
import { reminderReply } from "../messages/reminder.js";

export interface ReminderSchedulerDeps extends DeliveryDeps {
  logger: Logger;
  /** Names this process in a claim's lease. */
  owner: string;
  /**
   * Messages claimed, sent and recorded together. Larger batches share their commits; smaller
   * ones leave fewer messages `uncertain` after a crash. Default 200.
   */
  batchSize?: number;
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
/** A planned message's ledger key, without building its whole row (a tick reads it for every plan). */
const jobKey = (planned: PlannedMessage) => byRow({ id: planned.key, participantId: planned.participantId });

/**
 * Sends the automatic messages (session reminders, invitation nudges, feedback requests) when
 * they are due: once, never inside the quiet hours, never once they are too late. Each tick
 * works out the plan afresh and compares it with the ledger (`reminderJobs`); the claim is
 * written before the send and the outcome after it.
 */
export function createReminderScheduler(deps: ReminderSchedulerDeps) {
  let status: SchedulerStatus = { overdue: 0 };
  const batchSize = deps.batchSize ?? 200;

  /** Records skips; a member erased meanwhile leaves no row behind. */
  async function recordSkips(skips: Array<[PlannedMessage, string]>, now: Date): Promise<void> {
    if (skips.length === 0) return;
    await deps.store.update((data) => {
      for (const [planned, reason] of skips)
        if (!data.reminderJobs.lookup(byRow, jobKey(planned)) && findParticipant(data, planned.participantId))
          data.reminderJobs.push({
            ...rowOf(planned),
            status: "skipped",
            reason,
            updatedAt: now.toISOString(),
          });
    });
  }

  /**
   * Writes the claims, in one update, for the members still due (an opt-out or absence that
   * came in meanwhile wins), and returns those claimed.
   */
  async function claimAll(batch: PlannedMessage[], now: Date): Promise<PlannedMessage[]> {
    const claimed = await deps.store.update((data) =>
      batch.flatMap((planned, index) => {
        if (data.reminderJobs.lookup(byRow, jobKey(planned))) return [];
        const participant = findParticipant(data, planned.participantId);
        if (!participant || !isStillDue(data, participant, planned)) return [];
        data.reminderJobs.push({
          ...rowOf(planned),
          status: "sending",
          lease: { owner: deps.owner, until: new Date(now.getTime() + LEASE_MS).toISOString() },
          updatedAt: now.toISOString(),
        });
        return [index];
      }),
    );
    return claimed.map((index) => batch[index]!);
  }

  /** One batch: the claims, the sends side by side, the outcomes in one update. */
  async function sendBatch(batch: PlannedMessage[], now: Date, report: TickReport): Promise<void> {
    const claimed = await claimAll(batch, now);
    if (claimed.length === 0) return;
    const results = await deps.outbound.sendToParticipants(claimed.map(messageFor));
    const at = deps.clock();
    await deps.store.update((data) =>
      claimed.forEach((planned, index) => {
        const result = results[index]!;
        const channel = deliveredOn(result);
        if (!channel)
          deps.logger.warn({ key: planned.key, status: result.status }, "reminder could not be sent");
        report[channel ? "sent" : "failed"]++;
        const job = data.reminderJobs.lookup(byRow, jobKey(planned));
        // Erased while it went out: the erasure took the claim with it.
        if (!job) return;
        Object.assign(
          job,
          channel
            ? { status: "sent", channel, lease: undefined, updatedAt: at.toISOString() }
            : { status: "failed", reason: "not-delivered", lease: undefined, updatedAt: at.toISOString() },
        );
        if (channel && planned.kind === "reminder")
          markReminded(
            data,
            { participantId: planned.participantId, sessionId: planned.session.id, channel },
            at,
          );
      }),
    );
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
      // One set of the ledger's keys per tick: a lookup per planned message reads every chunk's
      // index, and 180,000 of them made each tick take seconds.
      const recorded = new Set(store.data.reminderJobs.map(byRow));
      const open = planMessages(assembly, store.data).filter((planned) => !recorded.has(jobKey(planned)));
      const quiet = isQuiet(now, assembly.reminders.quietHours, assembly.timeZone);
      let overdue = 0;
      const decided = decide(open, now);
      const skips = decided.filter((entry): entry is [PlannedMessage, string] => entry[1] !== undefined);
      await recordSkips(skips, now);
      report.skipped += skips.length;
      const due = decided.filter(([, reason]) => reason === undefined).map(([planned]) => planned);
      if (quiet) overdue = due.length;
      else
        for (let start = 0; start < due.length; start += batchSize)
          await sendBatch(due.slice(start, start + batchSize), now, report);
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

/** The message a planned job sends; the job's own key keeps the outbox from sending it twice. */
function messageFor(planned: PlannedMessage): SendToParticipantArgs {
  const base = { participantId: planned.participantId, purpose: planned.kind, key: jobKey(planned) };
  switch (planned.kind) {
    case "reminder":
      return { ...base, build: (ctx) => reminderReply(ctx, planned.session, planned.hoursBefore) };
    case "nudge":
      return { ...base, build: (ctx) => nudgeReply(ctx, planned.deadline) };
    case "feedback":
      return { ...base, build: (ctx) => feedbackRequestReply(ctx, planned.session) };
    case "session-change":
      return { ...base, build: (ctx) => sessionChangeReply(ctx, planned.from, planned.session) };
  }
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
