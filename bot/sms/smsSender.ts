import { randomUUID } from "node:crypto";
import Bottleneck from "bottleneck";
import pRetry from "p-retry";
import { findParticipantByPhone, recordHistory } from "../domain/participants.js";
import type { Logger } from "../logger.js";
import type { OutboxMessage } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { measureSms, toGsmLookalikes } from "./gsm.js";
import {
  isTransientTwilioError,
  readTwilioError,
  TWILIO_UNSUBSCRIBED,
  type TwilioMessagesApi,
  type TwilioSendError,
} from "./twilioProvider.js";

const byProviderId = (message: OutboxMessage) => message.providerId;

export interface SendSmsArgs {
  to: string;
  body: string;
  /** Why the message goes out (invitation, reminder, handoff-answer…); shown in the outbox. */
  purpose: string;
}

export type SendSmsResult =
  | { status: "sent" | "dry-run"; outboxId: string; providerId?: string }
  | { status: "blocked"; outboxId: string; reason: "opted-out" }
  | { status: "failed"; outboxId: string; error: string };

export interface SmsSender {
  readonly dryRun: boolean;
  sendSms(args: SendSmsArgs): Promise<SendSmsResult>;
  recordDeliveryStatus(args: { providerId: string; status: string; errorCode?: string }): Promise<boolean>;
  /** Keeps a reply that went back inside a webhook's TwiML in the outbox, like every other SMS. */
  recordReplies(args: { to: string; bodies: string[] }): Promise<void>;
}

/** How a send that Twilio answered 429 or 5xx is tried again (p-retry's options). */
export interface SmsRetryOptions {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** The wait before the first retry, in milliseconds; 0 retries at once (tests). */
  minTimeout: number;
  /** Each further wait is this many times the one before... */
  factor: number;
  /** ...up to this many milliseconds. */
  maxTimeout: number;
  /** Jitter: each wait is stretched by a random 1-2 times, so a burst of retries spreads out. */
  randomize: boolean;
}

/**
 * Four attempts, waiting about 0.5-1 s, 1-2 s and 2-4 s between them: at most 7 s, which a
 * member's turn or an organizer's call can wait, and long enough for Twilio's queue to drain.
 */
export const DEFAULT_SMS_RETRY: SmsRetryOptions = {
  attempts: 4,
  minTimeout: 500,
  factor: 2,
  maxTimeout: 4000,
  randomize: true,
};

/** A single long code: Twilio sends one SMS a second from it and queues the rest. */
export const DEFAULT_SMS_RATE = 1;

export interface SmsSenderDeps {
  store: Store;
  clock: () => Date;
  logger: Logger;
  /** Absent: every message goes to the dry-run outbox in the store instead of Twilio. */
  twilio?: {
    api: TwilioMessagesApi;
    from?: string;
    messagingServiceSid?: string;
    statusCallbackUrl?: string;
    /** At most this many requests a second to Twilio, retries included; Infinity lifts the limit. */
    ratePerSecond?: number;
    retry?: Partial<SmsRetryOptions>;
  };
}

const DELIVERY_STATUSES: Record<string, OutboxMessage["status"]> = {
  queued: "sent",
  accepted: "sent",
  sending: "sent",
  sent: "sent",
  delivered: "delivered",
  undelivered: "undelivered",
  failed: "failed",
};

/** How far a message has got; a status only ever moves forward, and the last rank is final. */
const STATUS_RANK: Partial<Record<OutboxMessage["status"], number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  failed: 2,
};
const FINAL_RANK = 2;

/** Whether `next` moves a message on from `current`: never back, never away from a final status. */
function movesForward(current: OutboxMessage["status"], next: OutboxMessage["status"]): boolean {
  const from = STATUS_RANK[current] ?? 0;
  return from < FINAL_RANK && (STATUS_RANK[next] ?? 0) > from;
}

interface DeliveryUpdate {
  status: OutboxMessage["status"];
  errorCode?: string;
}

/**
 * Callbacks for sids no outbox row has yet: Twilio can call back before its answer to our
 * send has reached us. Kept until the sid is recorded; the oldest go first past this many.
 */
const MAX_EARLY_CALLBACKS = 1000;

/** Why a retry was not made: the member opted out or was erased while the send waited. */
class RetryStopped extends Error {
  constructor(readonly reason: "opted-out" | "erased") {
    super(`sms not retried: recipient ${reason}`);
    this.name = "RetryStopped";
  }
}

const describeFailure = (failure: TwilioSendError) =>
  failure.code ? `${failure.code}: ${failure.message}` : failure.message;

/**
 * Spaces requests to Twilio `1000 / ratePerSecond` ms apart, however many sends run at once,
 * so a burst of invitations or reminders is not answered 429 and a retry waits its turn too.
 * Infinity lifts the limit (a benchmark measuring the bot's own cost): no limiter at all.
 */
function createThrottle(ratePerSecond: number): <T>(request: () => Promise<T>) => Promise<T> {
  if (!(ratePerSecond > 0)) throw new RangeError("sms: ratePerSecond must be more than 0");
  if (ratePerSecond === Number.POSITIVE_INFINITY) return (request) => request();
  const limiter = new Bottleneck({ minTime: 1000 / ratePerSecond });
  return (request) => limiter.schedule(request);
}

/**
 * The one way an SMS leaves the bot. Every message is in the outbox before it is sent, a number
 * that opted out gets nothing, and Twilio's 21610 (unsubscribed) marks the number opted out.
 * Requests to Twilio are rate-limited; a 429 or 5xx is tried again with exponential backoff and
 * jitter, each attempt counted on the message's one outbox row.
 */
export function createSmsSender(deps: SmsSenderDeps): SmsSender {
  const { store, clock, logger, twilio } = deps;
  const throttle = createThrottle(twilio?.ratePerSecond ?? DEFAULT_SMS_RATE);
  const retry: SmsRetryOptions = { ...DEFAULT_SMS_RETRY, ...twilio?.retry };

  async function addToOutbox(
    args: SendSmsArgs,
    status: OutboxMessage["status"],
    body: string,
  ): Promise<OutboxMessage> {
    const now = clock().toISOString();
    const participant = findParticipantByPhone(store.data, args.to);
    const message: OutboxMessage = {
      id: randomUUID(),
      channel: "sms",
      to: args.to,
      participantId: participant?.id,
      purpose: args.purpose,
      text: body,
      status,
      ...(status === "blocked" ? { error: "opted out" } : {}),
      // A queued message is about to be tried for the first time.
      ...(status === "queued" ? { attempts: 1 } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await store.update((data) => data.outbox.push(message));
    return message;
  }

  async function updateOutbox(id: string, change: Partial<OutboxMessage>): Promise<void> {
    await store.update((data) => {
      const message = data.outbox.find((entry) => entry.id === id);
      if (message) Object.assign(message, change, { updatedAt: clock().toISOString() });
    });
  }

  const earlyCallbacks = new Map<string, DeliveryUpdate[]>();

  function keepEarlyCallback(providerId: string, update: DeliveryUpdate): void {
    earlyCallbacks.set(providerId, [...(earlyCallbacks.get(providerId) ?? []), update]);
    if (earlyCallbacks.size > MAX_EARLY_CALLBACKS) {
      earlyCallbacks.delete(earlyCallbacks.keys().next().value!);
    }
  }

  /**
   * Moves a row (a draft inside `update`) on to a delivery status. Callbacks come out of order
   * and more than once: a late "sent" does not undo "delivered", failed and undelivered are
   * final, and a duplicate changes nothing, so nothing is written for it.
   */
  function applyDelivery(row: OutboxMessage, update: DeliveryUpdate): void {
    if (!movesForward(row.status, update.status)) return;
    row.status = update.status;
    if (update.errorCode) row.error = `Twilio ${update.errorCode}`;
    row.updatedAt = clock().toISOString();
  }

  async function markOptedOut(phone: string): Promise<void> {
    await store.update((data) => {
      const participant = findParticipantByPhone(data, phone);
      if (!participant || participant.optedOut) return;
      participant.optedOut = true;
      recordHistory(
        data,
        {
          participantId: participant.id,
          channel: "sms",
          actor: "system",
          change: "opted-out",
          detail: { source: "twilio-21610" },
        },
        clock(),
      );
    });
  }

  /**
   * Counts the next attempt on the message's row, with the error that made it necessary, and
   * puts it on disk before the request leaves. A member who opted out or was erased while the
   * send waited gets no retry: the row says blocked, or stays as the erasure left it.
   */
  async function recordRetry(
    id: string,
    to: string,
    attempt: number,
    lastFailure: TwilioSendError | undefined,
  ): Promise<void> {
    const stopped = await store.update((data): RetryStopped["reason"] | undefined => {
      const row = data.outbox.find((entry) => entry.id === id);
      if (!row || row.to !== to) return "erased";
      if (findParticipantByPhone(data, to)?.optedOut) {
        Object.assign(row, { status: "blocked", error: "opted out", updatedAt: clock().toISOString() });
        return "opted-out";
      }
      row.attempts = attempt;
      if (lastFailure) row.error = describeFailure(lastFailure);
      row.updatedAt = clock().toISOString();
      return undefined;
    });
    await store.commit();
    if (stopped) throw new RetryStopped(stopped);
  }

  return {
    dryRun: !twilio,

    async sendSms(args) {
      const body = toGsmLookalikes(args.body);
      if (findParticipantByPhone(store.data, args.to)?.optedOut) {
        const blocked = await addToOutbox(args, "blocked", body);
        logger.info({ outboxId: blocked.id, purpose: args.purpose }, "sms not sent: recipient opted out");
        return { status: "blocked", outboxId: blocked.id, reason: "opted-out" };
      }
      const { encoding, segments } = measureSms(body);
      if (encoding !== "GSM-7" || segments > 3) {
        logger.warn(
          { purpose: args.purpose, encoding, segments },
          "sms is longer or costlier than it should be",
        );
      }
      if (!twilio) {
        const message = await addToOutbox(args, "dry-run", body);
        logger.info({ outboxId: message.id, to: args.to, purpose: args.purpose, segments }, "sms dry-run");
        return { status: "dry-run", outboxId: message.id };
      }
      const message = await addToOutbox(args, "queued", body);
      // Inside a turn the outbox row, and what led to this message, are on disk before it leaves.
      await store.commit();
      const params = {
        to: args.to,
        body,
        from: twilio.messagingServiceSid ? undefined : twilio.from,
        messagingServiceSid: twilio.messagingServiceSid,
        statusCallback: twilio.statusCallbackUrl,
      };
      let lastFailure: TwilioSendError | undefined;
      try {
        const sent = await pRetry(
          async (attempt) => {
            if (attempt > 1) await recordRetry(message.id, args.to, attempt, lastFailure);
            return await throttle(() => twilio.api.create(params));
          },
          {
            retries: Math.max(0, retry.attempts - 1),
            minTimeout: retry.minTimeout,
            factor: retry.factor,
            maxTimeout: retry.maxTimeout,
            randomize: retry.randomize,
            onFailedAttempt: ({ error, attemptNumber }) => {
              if (error instanceof RetryStopped) return;
              lastFailure = readTwilioError(error);
              logger.warn(
                {
                  outboxId: message.id,
                  code: lastFailure.code,
                  httpStatus: lastFailure.status,
                  attempt: attemptNumber,
                },
                "sms send attempt failed",
              );
            },
            shouldRetry: ({ error }) =>
              !(error instanceof RetryStopped) && isTransientTwilioError(readTwilioError(error)),
          },
        );
        await store.update((data) => {
          const row = data.outbox.find((entry) => entry.id === message.id);
          if (!row) return;
          row.providerId = sent.sid;
          // Sent after all: an earlier attempt's error no longer describes the message.
          delete row.error;
          applyDelivery(row, { status: "sent" });
          for (const early of earlyCallbacks.get(sent.sid) ?? []) applyDelivery(row, early);
        });
        const early = earlyCallbacks.get(sent.sid);
        earlyCallbacks.delete(sent.sid);
        if (early?.some((update) => update.errorCode === String(TWILIO_UNSUBSCRIBED)))
          await markOptedOut(args.to);
        return { status: "sent", outboxId: message.id, providerId: sent.sid };
      } catch (error) {
        if (error instanceof RetryStopped) {
          logger.info({ outboxId: message.id, reason: error.reason }, "sms not retried");
          if (error.reason === "opted-out")
            return { status: "blocked", outboxId: message.id, reason: "opted-out" };
          await updateOutbox(message.id, { status: "failed" });
          return { status: "failed", outboxId: message.id, error: "recipient erased" };
        }
        const failure = readTwilioError(error);
        await updateOutbox(message.id, { status: "failed", error: describeFailure(failure) });
        if (failure.code === TWILIO_UNSUBSCRIBED) await markOptedOut(args.to);
        logger.warn(
          { outboxId: message.id, code: failure.code, httpStatus: failure.status },
          "sms send failed",
        );
        return { status: "failed", outboxId: message.id, error: failure.message };
      }
    },

    async recordReplies({ to, bodies }) {
      // A reply to someone erased in this very turn ("Dine oplysninger er slettet") is counted, not kept.
      const erased = !findParticipantByPhone(store.data, to);
      try {
        await Promise.all(
          bodies.map((body) =>
            erased
              ? addToOutbox({ to: "[slettet]", body, purpose: "reply" }, "sent", "[slettet]")
              : addToOutbox({ to, body, purpose: "reply" }, "sent", toGsmLookalikes(body)),
          ),
        );
      } catch (error) {
        // Bookkeeping only: the member still gets the reply, which matters more.
        logger.warn({ err: error }, "could not record SMS replies in the outbox");
      }
    },

    async recordDeliveryStatus({ providerId, status, errorCode }) {
      const mapped = DELIVERY_STATUSES[status];
      if (!mapped) return false;
      const update: DeliveryUpdate = { status: mapped, ...(errorCode ? { errorCode } : {}) };
      // Looked up in the draft: a sid recorded a moment ago may not be on disk yet.
      const to = await store.update((data) => {
        const row = data.outbox.lookup(byProviderId, providerId);
        if (row) applyDelivery(row, update);
        return row?.to;
      });
      if (to === undefined) {
        keepEarlyCallback(providerId, update);
        return false;
      }
      if (errorCode === String(TWILIO_UNSUBSCRIBED)) await markOptedOut(to);
      return true;
    },
  };
}
