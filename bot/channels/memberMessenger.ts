import type { OrganizerDirectory } from "../domain/organizers.js";
import { findParticipant } from "../domain/participants.js";
import type { Reply } from "../messages/reply.js";
import type { ConversationRef } from "../store/schema.js";
import type { Store } from "../store/store.js";
import type { SendProactive } from "./proactive.js";
import { renderReply } from "./renderReply.js";

export type DeliveryResult =
  | { status: "sent"; channel: string }
  | { status: "blocked"; reason: "opted-out" | "unknown-participant" }
  | { status: "no-conversation" };

export interface MemberMessenger {
  /**
   * Sends a message outside a turn, on `channel` if given (the channel a question came from),
   * else on the member's most recent conversation. Nothing goes to a member who opted out.
   */
  sendToMember(args: {
    participantId: string;
    reply: Reply;
    purpose: string;
    channel?: string;
  }): Promise<DeliveryResult>;
  /** Tells the organizers who use the bot in Teams; returns how many were reached. */
  notifyOrganizers(args: { reply: Reply; purpose: string }): Promise<number>;
}

export function createMemberMessenger(deps: {
  store: Store;
  sendProactive: SendProactive;
  organizers: OrganizerDirectory;
}): MemberMessenger {
  return {
    async notifyOrganizers({ reply, purpose }) {
      const refs = deps.store.data.conversationRefs.filter((ref) => {
        if (ref.channel !== "msteams") return false;
        const participant = findParticipant(deps.store.data, ref.participantId);
        return deps.organizers.isOrganizer({ aadObjectId: ref.key, email: participant?.email });
      });
      for (const ref of refs)
        await deps.sendProactive(ref, [{ ...renderReply(reply, ref.channel), channelData: { purpose } }]);
      return refs.length;
    },

    async sendToMember({ participantId, reply, purpose, channel }) {
      const participant = findParticipant(deps.store.data, participantId);
      if (!participant) return { status: "blocked", reason: "unknown-participant" };
      if (participant.optedOut) return { status: "blocked", reason: "opted-out" };
      const ref = latestConversation(deps.store.data.conversationRefs, participantId, channel);
      if (!ref) return { status: "no-conversation" };
      const activity = { ...renderReply(reply, ref.channel), channelData: { purpose } };
      await deps.sendProactive(ref, [activity]);
      return { status: "sent", channel: ref.channel };
    },
  };
}

function latestConversation(
  refs: ConversationRef[],
  participantId: string,
  channel?: string,
): ConversationRef | undefined {
  return refs
    .filter(
      (ref) => ref.participantId === participantId && (channel === undefined || ref.channel === channel),
    )
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
}
