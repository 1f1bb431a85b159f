import { invitationReply } from "../messages/invitation.js";
import type { Participant } from "../store/schema.js";
import { setInvitation } from "./attendance.js";
import { deliveredOn, type DeliveryDeps } from "../outbound/outbound.js";
import { findParticipant } from "./participants.js";

export interface InvitationResult {
  sent: number;
  skipped: number;
  /** Not yet invited after this call; the CLI calls again in batches while this is above 0. */
  remaining: number;
}

const PARALLEL_SENDS = 10;

function isDue(participant: Participant): boolean {
  return participant.onList && participant.invitation === "none" && !participant.optedOut;
}

/**
 * Invites everyone on the list who is neither invited yet nor opted out: in Teams when they
 * have the app, otherwise by SMS. A participant is marked invited only once the message is
 * out, so a second call sends nothing new and a failed send is tried again next time.
 */
export async function sendInvitations(
  deps: DeliveryDeps,
  options: { limit?: number } = {},
): Promise<InvitationResult> {
  const onList = deps.store.data.participants.filter((participant) => participant.onList);
  const due = onList.filter(isDue).slice(0, options.limit ?? Infinity);
  let sent = 0;
  // A few at a time: their outbox writes share a group commit, and Twilio queues the rest.
  for (let start = 0; start < due.length; start += PARALLEL_SENDS) {
    const results = await Promise.all(
      due.slice(start, start + PARALLEL_SENDS).map(async (participant) => {
        const channel = deliveredOn(
          await deps.outbound.sendToParticipant({
            participantId: participant.id,
            purpose: "invitation",
            build: (ctx) => invitationReply(ctx, participant.name),
            // A crash between the send and marking them invited must not invite them twice.
            key: `invitation|${participant.id}`,
          }),
        );
        if (!channel) return false;
        await deps.store.update((data) => {
          // Erased while the message went out: it was sent, and there is no one left to mark.
          if (!findParticipant(data, participant.id)) return;
          setInvitation(data, participant.id, "invited", { actor: "organizer", channel }, deps.clock());
        });
        return true;
      }),
    );
    sent += results.filter(Boolean).length;
  }
  // Read again: the snapshot above was taken before this call's own changes.
  const remaining = deps.store.data.participants.filter(isDue).length;
  return { sent, skipped: onList.length - sent - remaining, remaining };
}
