import type { Reply } from "../messages/reply.js";
import type { ConversationRef } from "../store/schema.js";

/**
 * How the pipeline reaches the channels. It writes the outbox and decides; a transport only
 * carries one message and says what came of it, as a value.
 */

export type ChatDelivery =
  | { status: "sent" }
  /**
   * `permanent`: the channel refused this conversation for good (Teams 403/404); otherwise
   * the failure may pass (service down) and the conversation is kept.
   */
  | { status: "failed"; error: string; permanent: boolean };

/** Teams, Web Chat and the local page, supplied by the channel layer. */
export interface ChatTransport {
  send(args: { ref: ConversationRef; reply: Reply; purpose: string }): Promise<ChatDelivery>;
}

/** What Twilio answered to a failed request: its error code and HTTP status, when it sent them. */
export interface SmsFailure {
  /** Twilio's error code (21211, 20429…), when Twilio answered with one. */
  code?: number;
  /** The HTTP status of Twilio's answer, when there was one. */
  status?: number;
  message: string;
}

export type SmsDelivery =
  | { status: "sent"; providerId: string }
  | { status: "failed"; failure: SmsFailure }
  /** A retry was not made: the recipient opted out or was erased while it waited. */
  | { status: "stopped"; reason: "opted-out" | "erased" };

export interface SmsTransport {
  /** No Twilio: messages are kept in the outbox as dry-run and nothing leaves. */
  readonly dryRun: boolean;
  /**
   * Sends one SMS. `beforeRetry` runs before each retry (attempt 2 and on) with the failure
   * that made it necessary, and says whether the retry may go.
   */
  deliver(args: {
    to: string;
    body: string;
    beforeRetry: (attempt: number, failure: SmsFailure) => Promise<"go" | SmsStopReason>;
  }): Promise<SmsDelivery>;
}

export type SmsStopReason = Extract<SmsDelivery, { status: "stopped" }>["reason"];
