import { randomUUID } from "node:crypto";
import type { DbData, OutboxMessage } from "../store/schema.js";

/** The outbox rows: every message the bot sends outside a turn's reply has one, before it leaves. */

// Constant key functions, so the table's per-chunk indexes are built once and reused.
const byId = (message: OutboxMessage) => message.id;
const byKey = (message: OutboxMessage) => message.key;
const byProviderId = (message: OutboxMessage) => message.providerId;

/** Statuses of a message that went out, or may have: one with the same key is not sent again. */
const LIVE: ReadonlySet<OutboxMessage["status"]> = new Set([
  "pending",
  "queued",
  "dry-run",
  "sent",
  "delivered",
]);

export type NewOutboxRow = Omit<OutboxMessage, "id" | "createdAt" | "updatedAt">;

export function addOutboxRow(data: DbData, row: NewOutboxRow, now: Date): OutboxMessage {
  const at = now.toISOString();
  const message: OutboxMessage = { id: randomUUID(), ...row, createdAt: at, updatedAt: at };
  data.outbox.push(message);
  return message;
}

export function findOutboxRow(data: DbData, id: string): OutboxMessage | undefined {
  return data.outbox.lookup(byId, id);
}

export function findOutboxRowByProviderId(data: DbData, providerId: string): OutboxMessage | undefined {
  return data.outbox.lookup(byProviderId, providerId);
}

/** The message with this key that went out, or is on its way. */
export function findLiveRowByKey(data: DbData, key: string): OutboxMessage | undefined {
  return data.outbox.lookupAll(byKey, key).find((message) => LIVE.has(message.status));
}

/** Changes a row (a draft inside `update`) and stamps it; a row erased meanwhile is left alone. */
export function updateOutboxRow(
  data: DbData,
  id: string,
  change: Partial<OutboxMessage>,
  now: Date,
): OutboxMessage | undefined {
  const row = findOutboxRow(data, id);
  if (row) Object.assign(row, change, { updatedAt: now.toISOString() });
  return row;
}
