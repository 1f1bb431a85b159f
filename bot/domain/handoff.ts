import { randomUUID } from "node:crypto";
import type { DbData, InboxItem } from "../store/schema.js";
import { recordHistory } from "./participants.js";

export type HandoffReason =
  "unknown-topic" | "missing-content" | "requested" | "absence-report" | "not-processed";

/** Puts a member's message in the organizer inbox. The caller writes the data. */
export function addHandoff(
  data: DbData,
  item: { participantId: string; channel: string; text: string; reason: HandoffReason },
  now: Date,
): InboxItem {
  const entry: InboxItem = {
    id: randomUUID(),
    participantId: item.participantId,
    channel: item.channel,
    text: item.text,
    reason: item.reason,
    status: "open",
    createdAt: now.toISOString(),
  };
  data.inbox.push(entry);
  recordHistory(
    data,
    {
      participantId: item.participantId,
      channel: item.channel,
      actor: "member",
      change: "handoff",
      detail: { inboxId: entry.id },
    },
    now,
  );
  return entry;
}
