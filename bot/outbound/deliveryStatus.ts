import { markPhoneOptedOut } from "../domain/participants.js";
import type { DbData, OutboxMessage } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { TWILIO_UNSUBSCRIBED } from "../sms/twilioProvider.js";
import { findOutboxRowByProviderId } from "./outbox.js";

const DELIVERY_STATUSES: Record<string, OutboxMessage["status"]> = {
  queued: "sent",
  accepted: "sent",
  sending: "sent",
  sent: "sent",
  delivered: "delivered",
  undelivered: "undelivered",
  failed: "failed",
};

/** How far a message has got; a status only ever moves forward, and the last rank is final. */
const STATUS_RANK: Partial<Record<OutboxMessage["status"], number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  failed: 2,
};
const FINAL_RANK = 2;

/**
 * Callbacks for sids no outbox row has yet: Twilio can call back before its answer to our
 * send has reached us. Kept until the sid is recorded; the oldest go first past this many.
 */
const MAX_EARLY_CALLBACKS = 1000;

export interface DeliveryUpdate {
  status: OutboxMessage["status"];
  errorCode?: string;
}

/** Whether `next` moves a message on from `current`: never back, never away from a final status. */
function movesForward(current: OutboxMessage["status"], next: OutboxMessage["status"]): boolean {
  const from = STATUS_RANK[current] ?? 0;
  return from < FINAL_RANK && (STATUS_RANK[next] ?? 0) > from;
}

export type DeliveryStatuses = ReturnType<typeof createDeliveryStatuses>;

/** Twilio's status callbacks, applied to the outbox rows they are about. */
export function createDeliveryStatuses(deps: { store: Store; clock: () => Date }) {
  const early = new Map<string, DeliveryUpdate[]>();

  /**
   * Moves a row (a draft inside `update`) on to a delivery status. Callbacks come out of order
   * and more than once: a late "sent" does not undo "delivered", failed and undelivered are
   * final, and a duplicate changes nothing, so nothing is written for it.
   */
  function apply(data: DbData, row: OutboxMessage, update: DeliveryUpdate): void {
    if (!movesForward(row.status, update.status)) return;
    row.status = update.status;
    if (update.errorCode) row.error = `Twilio ${update.errorCode}`;
    row.updatedAt = deps.clock().toISOString();
    if (update.errorCode === String(TWILIO_UNSUBSCRIBED)) markPhoneOptedOut(data, row.to, deps.clock());
  }

  return {
    /**
     * Records that Twilio took the message (a draft inside `update`), then the callbacks that
     * came before its answer did.
     */
    recordSent(data: DbData, row: OutboxMessage, sid: string): void {
      row.providerId = sid;
      // Sent after all: an earlier attempt's error no longer describes the message.
      delete row.error;
      apply(data, row, { status: "sent" });
      for (const update of early.get(sid) ?? []) apply(data, row, update);
      early.delete(sid);
    },

    /** A status callback; false when no row has the sid (yet). */
    async record(args: { providerId: string; status: string; errorCode?: string }): Promise<boolean> {
      const mapped = DELIVERY_STATUSES[args.status];
      if (!mapped) return false;
      const update: DeliveryUpdate = {
        status: mapped,
        ...(args.errorCode ? { errorCode: args.errorCode } : {}),
      };
      // Looked up in the draft: a sid recorded a moment ago may not be on disk yet.
      const known = await deps.store.update((data) => {
        const row = findOutboxRowByProviderId(data, args.providerId);
        if (row) apply(data, row, update);
        return row !== undefined;
      });
      if (!known) {
        early.set(args.providerId, [...(early.get(args.providerId) ?? []), update]);
        if (early.size > MAX_EARLY_CALLBACKS) early.delete(early.keys().next().value!);
      }
      return known;
    },
  };
}
