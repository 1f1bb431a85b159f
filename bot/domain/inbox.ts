import { maskPhone } from "../logger.js";
import type { DbData, InboxItem } from "../store/schema.js";
import type { DeliveryDeps, Outbound, SendResult } from "../outbound/outbound.js";
import { findParticipant, recordHistory } from "./participants.js";

export interface InboxEntry extends InboxItem {
  member: { name?: string; phone?: string };
}

/** The inbox for organizers, newest first, with who asked (the phone masked). */
export function listInbox(data: DbData, filter: { status?: InboxItem["status"] } = {}): InboxEntry[] {
  return data.inbox
    .filter((item) => !filter.status || item.status === filter.status)
    .map((item) => {
      const participant = item.participantId ? findParticipant(data, item.participantId) : undefined;
      return {
        ...item,
        member: { name: participant?.name, phone: participant?.phone && maskPhone(participant.phone) },
      };
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export type AnswerResult =
  | { status: "answered"; item: InboxItem }
  | { status: "delivery-failed"; error: string }
  | { status: "not-found" }
  | { status: "already-answered"; item: InboxItem };

export type AnswerDeps = Pick<DeliveryDeps, "store" | "clock"> & {
  outbound: Pick<Outbound, "sendToParticipant">;
};

/**
 * Sends an organizer's answer on the channel the question came from, then marks the item
 * answered. A member who opted out gets nothing; the item still records the answer.
 */
export async function answerInboxItem(
  deps: AnswerDeps,
  args: { id: string; text: string; organizer: string },
): Promise<AnswerResult> {
  const item = deps.store.data.inbox.find((entry) => entry.id === args.id);
  if (!item) return { status: "not-found" };
  if (item.status === "answered" || answering.has(item.id)) return { status: "already-answered", item };
  answering.add(item.id);
  try {
    return await sendAnswer(deps, item, args);
  } finally {
    answering.delete(item.id);
  }
}

/**
 * Items whose answer is on its way. A second click while the first answer is still being
 * sent must not send it twice.
 */
const answering = new Set<string>();

async function sendAnswer(
  deps: AnswerDeps,
  item: InboxItem,
  args: { text: string; organizer: string },
): Promise<AnswerResult> {
  const sent: SendResult = item.participantId
    ? await deps.outbound.sendToParticipant({
        participantId: item.participantId,
        channel: item.channel,
        purpose: "handoff-answer",
        build: (ctx) => ({ text: ctx.t("handoff.answer", { answer: args.text }) }),
      })
    : { status: "blocked", reason: "unknown-participant" };
  // The channel failed (e.g. Teams is down): the item stays open so the organizer can try again.
  if (sent.status === "failed") return { status: "delivery-failed", error: sent.error };
  const delivery =
    sent.status === "blocked" ? sent.reason : sent.status === "no-route" ? "no-conversation" : "sent";
  const now = deps.clock();
  const answered = await deps.store.update((data) => {
    const stored = data.inbox.find((entry) => entry.id === item.id);
    if (!stored) return undefined;
    Object.assign(stored, {
      status: "answered",
      answer: args.text,
      answeredAt: now.toISOString(),
      delivery,
    });
    recordHistory(
      data,
      {
        participantId: item.participantId,
        channel: item.channel,
        actor: "organizer",
        change: "handoff-answered",
        detail: { inboxId: item.id, by: args.organizer },
      },
      now,
    );
    return stored;
  });
  // Erased while the answer was on its way: the item is gone, and the answer with it.
  return answered ? { status: "answered", item: answered } : { status: "not-found" };
}
