import type { Reply } from "../messages/reply.js";

export type DeliveryResult =
  | { status: "sent"; channel: string }
  | { status: "blocked"; reason: "opted-out" | "unknown-participant" }
  /**
   * `permanent`: the channel refused this conversation for good (Teams 403/404), and it is now
   * marked unusable; otherwise the failure may pass and the conversation is kept.
   */
  | { status: "failed"; error: string; permanent: boolean }
  | { status: "no-conversation" };

/**
 * What the domain needs to reach members and organizers outside a turn. It is defined here and
 * implemented by the channel layer, so the domain does not depend on how messages travel.
 */
export interface MemberMessenger {
  /**
   * Sends a message outside a turn, on `channel` if given (the channel a question came from),
   * else on the member's most recent conversation. Nothing goes to a member who opted out, nor
   * on a conversation marked unusable ("no-conversation" when that leaves none).
   */
  sendToMember(args: {
    participantId: string;
    reply: Reply;
    purpose: string;
    channel?: string;
  }): Promise<DeliveryResult>;
  /**
   * Tells the organizers who use the bot in Teams. The notices are kept on disk with the
   * caller's turn and sent after it, so a slow channel never holds up a member's reply.
   * Returns how many notices were queued.
   */
  notifyOrganizers(args: { reply: Reply; purpose: string; aboutParticipantId: string }): Promise<number>;
  /** Sends the notices that are still pending (after a restart, say). */
  sendPending(): Promise<number>;
}
