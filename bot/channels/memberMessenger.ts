import { randomUUID } from "node:crypto";
import type { MemberMessenger } from "../domain/memberMessenger.js";
import type { OrganizerDirectory } from "../domain/organizers.js";
import type { Logger } from "../logger.js";
import { findConversation } from "../domain/conversations.js";
import { findParticipant, recordHistory } from "../domain/participants.js";
import type { Reply } from "../messages/reply.js";
import type { ConversationRef, DbData, OutboxMessage } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { ConversationUnusableError, type SendProactive } from "./proactive.js";
import { renderReply } from "./renderReply.js";
import type { Table } from "../store/table.js";

// bot/app.ts takes the type from here, next to its implementation.
export type { MemberMessenger };

/** What one proactive send came to; `permanent` when the conversation can no longer be used. */
type Outcome = { ok: true } | { ok: false; error: string; permanent: boolean };

export function createMemberMessenger(deps: {
  store: Store;
  sendProactive: SendProactive;
  organizers: OrganizerDirectory;
  clock: () => Date;
  logger: Logger;
}): MemberMessenger {
  /**
   * Sends on the conversation's channel and keeps chat messages in the outbox like SMS (the SMS
   * sender records those itself). A channel that fails is reported, never thrown at the caller.
   */
  async function send(
    ref: ConversationRef,
    reply: Reply,
    purpose: string,
    aboutParticipantId?: string,
  ): Promise<Outcome> {
    const activity = { ...renderReply(reply, ref.channel), channelData: { purpose } };
    if (ref.channel === "sms") {
      // The SMS sender keeps the outbox row; a failed send throws with its reason.
      try {
        await deps.sendProactive(ref, [activity]);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: (error as Error).message, permanent: false };
      }
    }
    const now = deps.clock().toISOString();
    const message: OutboxMessage = {
      id: randomUUID(),
      channel: ref.channel,
      to: ref.key,
      participantId: ref.participantId,
      aboutParticipantId,
      purpose,
      text: reply.text,
      status: "queued",
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.update((data) => data.outbox.push(message));
    const outcome = await attempt(ref, [activity], purpose, "proactive message failed");
    await recordOutcome(message.id, ref, outcome);
    return outcome;
  }

  async function attempt(
    ref: ConversationRef,
    activities: Parameters<SendProactive>[1],
    purpose: string,
    warning: string,
  ): Promise<Outcome> {
    try {
      await deps.sendProactive(ref, activities);
      return { ok: true };
    } catch (error) {
      const permanent = error instanceof ConversationUnusableError;
      const outcome = { ok: false as const, error: (error as Error).message, permanent };
      deps.logger.warn({ channel: ref.channel, purpose, err: outcome.error, permanent }, warning);
      return outcome;
    }
  }

  /**
   * Keeps the result on the outbox row, and in the same commit marks a conversation the Bot
   * Connector refused for good, so no later message tries it again.
   */
  async function recordOutcome(
    messageId: string,
    ref: ConversationRef | undefined,
    outcome: Outcome,
  ): Promise<void> {
    const now = deps.clock();
    await deps.store.update((data) => {
      const stored = data.outbox.find((entry) => entry.id === messageId);
      if (stored)
        Object.assign(stored, outcome.ok ? { status: "sent" } : { status: "failed", error: outcome.error }, {
          updatedAt: now.toISOString(),
        });
      if (ref && !outcome.ok && outcome.permanent) markUnusable(data, ref, outcome.error, now);
    });
  }

  let sending: Promise<number> | undefined;

  /** One at a time, so a notice is never picked up by two runs. */
  function sendPending(): Promise<number> {
    sending ??= sendPendingNow().finally(() => (sending = undefined));
    return sending;
  }

  async function sendPendingNow(): Promise<number> {
    const pending = deps.store.data.outbox.filter((message) => message.status === "pending");
    for (const message of pending) {
      const ref = latestConversationWith(deps.store.data.conversationRefs, message.channel, message.to);
      if (!ref) {
        await recordOutcome(message.id, ref, { ok: false, error: "no conversation", permanent: false });
        continue;
      }
      const activity = {
        ...renderReply({ text: message.text }, ref.channel),
        channelData: { purpose: message.purpose },
      };
      await recordOutcome(
        message.id,
        ref,
        await attempt(ref, [activity], message.purpose, "organizer notice failed"),
      );
    }
    return pending.length;
  }

  return {
    async notifyOrganizers({ reply, purpose, aboutParticipantId }) {
      const now = deps.clock().toISOString();
      const queued = await deps.store.update((data) => {
        const refs = data.conversationRefs.filter((ref) => {
          if (ref.channel !== "msteams" || ref.unusableSince) return false;
          const participant = findParticipant(data, ref.participantId);
          if (!participant || participant.optedOut) return false;
          return deps.organizers.isOrganizer({ aadObjectId: ref.key, email: participant.email });
        });
        for (const ref of refs) {
          data.outbox.push({
            id: randomUUID(),
            channel: ref.channel,
            to: ref.key,
            participantId: ref.participantId,
            aboutParticipantId,
            purpose,
            text: reply.text,
            status: "pending",
            createdAt: now,
            updatedAt: now,
          });
        }
        return refs.length;
      });
      deps.store.afterTurn(() => {
        sendPending().catch((error: unknown) =>
          deps.logger.error({ err: error }, "could not send organizer notices"),
        );
      });
      return queued;
    },

    sendPending,

    async sendToMember({ participantId, reply, purpose, channel }) {
      const participant = findParticipant(deps.store.data, participantId);
      if (!participant) return { status: "blocked", reason: "unknown-participant" };
      if (participant.optedOut) return { status: "blocked", reason: "opted-out" };
      const ref = latestConversation(deps.store.data.conversationRefs, participantId, channel);
      if (!ref) return { status: "no-conversation" };
      const outcome = await send(ref, reply, purpose);
      return outcome.ok
        ? { status: "sent", channel: ref.channel }
        : { status: "failed", error: outcome.error, permanent: outcome.permanent };
    },
  };
}

/** Marks the stored entry for `ref`'s conversation unusable, and tells the history why. */
function markUnusable(data: DbData, ref: ConversationRef, reason: string, now: Date): void {
  const stored = findConversation(data, ref);
  // Erased, or the member wrote in again (a fresh reference) while the send was on its way.
  if (!stored || stored.updatedAt !== ref.updatedAt || stored.unusableSince) return;
  Object.assign(stored, { unusableSince: now.toISOString(), unusableReason: reason });
  if (findParticipant(data, stored.participantId))
    recordHistory(
      data,
      {
        participantId: stored.participantId,
        channel: stored.channel,
        actor: "system",
        change: "conversation-unusable",
        detail: { reason },
      },
      now,
    );
}

/** A conversation the Bot Connector refused for good is never picked again. */
const usable = (ref: ConversationRef) => !ref.unusableSince;
const byParticipant = (ref: ConversationRef) => ref.participantId;
const byChannelKey = (ref: ConversationRef) => `${ref.channel}\u0000${ref.key}`;

function latestConversationWith(
  refs: Table<ConversationRef>,
  channel: string,
  key: string,
): ConversationRef | undefined {
  return refs
    .lookupAll(byChannelKey, `${channel}\u0000${key}`)
    .filter(usable)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
}

function latestConversation(
  refs: Table<ConversationRef>,
  participantId: string,
  channel?: string,
): ConversationRef | undefined {
  return refs
    .lookupAll(byParticipant, participantId)
    .filter((ref) => usable(ref) && (channel === undefined || ref.channel === channel))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
}
