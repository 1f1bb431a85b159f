import twilio from "twilio";
import type { SmsFailure } from "../outbound/transports.js";

/** The slice of Twilio's REST API the bot uses; tests pass a fake with the same shape. */
export interface TwilioMessagesApi {
  create(params: {
    to: string;
    body: string;
    from?: string;
    messagingServiceSid?: string;
    statusCallback?: string;
  }): Promise<{ sid: string; status: string }>;
}

export function createTwilioMessagesApi(options: {
  accountSid: string;
  authToken: string;
}): TwilioMessagesApi {
  const client = twilio(options.accountSid, options.authToken);
  return { create: (params) => client.messages.create(params) };
}

/** Twilio's "Attempt to send to unsubscribed recipient": the member texted STOP on the carrier side. */
export const TWILIO_UNSUBSCRIBED = 21610;
/** Twilio's "Invalid 'To' Phone Number". */
export const TWILIO_INVALID_NUMBER = 21211;
/** Twilio's "'To' number is not a valid mobile number". */
export const TWILIO_NOT_MOBILE = 21614;

/** Errors about the recipient that no retry can change. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([
  TWILIO_INVALID_NUMBER,
  TWILIO_UNSUBSCRIBED,
  TWILIO_NOT_MOBILE,
]);

export function readTwilioError(error: unknown): SmsFailure {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  return {
    ...(typeof code === "number" ? { code } : {}),
    ...(typeof status === "number" ? { status } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Whether the same request may succeed later: Twilio's 429 (too many requests) and its 5xx.
 * A permanent error about the recipient is never retried, whatever status it came with, and
 * neither is anything without an HTTP answer (a timeout may have sent the message already).
 */
export function isTransientTwilioError(failure: SmsFailure): boolean {
  if (failure.code !== undefined && PERMANENT_CODES.has(failure.code)) return false;
  const status = failure.status;
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}
