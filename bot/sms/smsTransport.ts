import Bottleneck from "bottleneck";
import pRetry from "p-retry";
import type { Logger } from "../logger.js";
import type { SmsFailure, SmsStopReason, SmsTransport } from "../outbound/transports.js";
import { isTransientTwilioError, readTwilioError, type TwilioMessagesApi } from "./twilioProvider.js";

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

export interface TwilioTransportOptions {
  api: TwilioMessagesApi;
  from?: string;
  messagingServiceSid?: string;
  statusCallbackUrl?: string;
  /** At most this many requests a second to Twilio, retries included; Infinity lifts the limit. */
  ratePerSecond?: number;
  retry?: Partial<SmsRetryOptions>;
}

/** Why a retry was not made; thrown inside p-retry only, to end its loop. */
class RetryStopped extends Error {
  constructor(readonly reason: SmsStopReason) {
    super(`sms: not retried, recipient ${reason}`);
    this.name = "RetryStopped";
  }
}

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

/** Without Twilio credentials nothing leaves; the outbox keeps the messages as dry-run. */
export const DRY_RUN_SMS: SmsTransport = {
  dryRun: true,
  deliver: () => Promise.reject(new Error("sms: a dry run sends nothing")),
};

/**
 * Twilio as the SMS transport. Requests are rate-limited (bottleneck); a 429 or 5xx is tried
 * again with exponential backoff and jitter (p-retry), which both do better than a loop of
 * ours would. A permanent error (21211, 21610, 21614) and one without an HTTP answer are not.
 */
export function createTwilioTransport(options: TwilioTransportOptions, logger: Logger): SmsTransport {
  const throttle = createThrottle(options.ratePerSecond ?? DEFAULT_SMS_RATE);
  const retry: SmsRetryOptions = { ...DEFAULT_SMS_RETRY, ...options.retry };
  return {
    dryRun: false,
    async deliver({ to, body, beforeRetry }) {
      const params = {
        to,
        body,
        from: options.messagingServiceSid ? undefined : options.from,
        messagingServiceSid: options.messagingServiceSid,
        statusCallback: options.statusCallbackUrl,
      };
      let lastFailure: SmsFailure | undefined;
      try {
        const sent = await pRetry(
          async (attempt) => {
            if (attempt > 1 && lastFailure) {
              const decision = await beforeRetry(attempt, lastFailure);
              if (decision !== "go") throw new RetryStopped(decision);
            }
            return await throttle(() => options.api.create(params));
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
                { code: lastFailure.code, httpStatus: lastFailure.status, attempt: attemptNumber },
                "sms send attempt failed",
              );
            },
            shouldRetry: ({ error }) =>
              !(error instanceof RetryStopped) && isTransientTwilioError(readTwilioError(error)),
          },
        );
        return { status: "sent", providerId: sent.sid };
      } catch (error) {
        if (error instanceof RetryStopped) return { status: "stopped", reason: error.reason };
        return { status: "failed", failure: readTwilioError(error) };
      }
    },
  };
}
