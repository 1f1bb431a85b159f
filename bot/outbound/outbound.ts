import type { Assembly } from "../assembly/load.js";
import { findParticipant, findParticipantByPhone, markPhoneOptedOut } from "../domain/participants.js";
import type { OrganizerDirectory } from "../domain/organizers.js";
import type { Language, Translate } from "../i18n/i18n.js";
import type { Logger } from "../logger.js";
import type { MessageContext } from "../messages/context.js";
import type { Reply } from "../messages/reply.js";
import { measureSms, toGsmLookalikes } from "../sms/gsm.js";
import { TWILIO_UNSUBSCRIBED } from "../sms/twilioProvider.js";
import type { DbData, OutboxMessage, Participant } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { createDeliveryStatuses } from "./deliveryStatus.js";
import { addOutboxRow, findLiveRowByKey, findOutboxRow, updateOutboxRow } from "./outbox.js";
import {
  addressOf,
  chooseRoutes,
  findUsableConversation,
  markUnusable,
  SMS_CHANNEL,
  type Route,
} from "./routes.js";
import type { ChatDelivery, ChatTransport, SmsDelivery, SmsFailure, SmsTransport } from "./transports.js";

export interface OutboundDeps {
  store: Store;
  assembly: Assembly;
  translate: (language: Language) => Translate;
  clock: () => Date;
  logger: Logger;
  chat: ChatTransport;
  sms: SmsTransport;
  organizers: OrganizerDirectory;
}

export type SendResult =
  | { status: "sent" | "dry-run"; channel: string; outboxId: string; providerId?: string }
  /** The message with this key went out before (or is on its way): nothing was sent now. */
  | { status: "already-sent"; channel: string; outboxId: string }
  | { status: "blocked"; reason: "opted-out" | "unknown-participant"; outboxId?: string }
  | { status: "failed"; error: string; outboxId?: string }
  /** No usable chat and no phone number. */
  | { status: "no-route" };

/** The channel a message went out on (or had gone out on), or undefined when it did not. */
export function deliveredOn(result: SendResult): string | undefined {
  return result.status === "sent" || result.status === "dry-run" || result.status === "already-sent"
    ? result.channel
    : undefined;
}

export interface SendToParticipantArgs {
  participantId: string;
  /** Why it goes out (invitation, reminder, handoff-answer…); the outbox shows it. */
  purpose: string;
  /** The message for the medium it goes on: templates are pure functions of the context. */
  build: (ctx: MessageContext) => Reply;
  /** The channel to answer on (where a question came from); else the chat used last. */
  channel?: string;
  /** What the message is for: while one with this key is out, it is not sent again. */
  key?: string;
}

export type Outbound = ReturnType<typeof createOutbound>;

/** What the domain's senders (invitations, reminders, the scheduler) need. */
export interface DeliveryDeps {
  store: Store;
  assembly: Assembly;
  outbound: Pick<Outbound, "sendToParticipant" | "sendToParticipants">;
  clock: () => Date;
}

/** What one attempt on one route came to. */
type Attempt = { result: SendResult; retryElsewhere: boolean };

const UNKNOWN_PARTICIPANT: SendResult = { status: "blocked", reason: "unknown-participant" };

const describeFailure = (failure: SmsFailure) =>
  failure.code ? `${failure.code}: ${failure.message}` : failure.message;

/**
 * The one way the bot sends a message outside a turn's reply (invitations, reminders,
 * organizers' answers, notices to organizers). For each message: the outbox row first, with
 * its idempotency key, on disk; then the send, through a transport; then the result, recorded
 * and returned as a value. Nothing goes to a member who opted out or was erased, and the check
 * is made in the same write as the row, so an opt-out that arrives while a batch is under way
 * wins.
 */
export function createOutbound(deps: OutboundDeps) {
  const { store, clock, logger } = deps;
  const statuses = createDeliveryStatuses({ store, clock });

  // A batch of reminders is one text to many members: measured once (the grapheme splitter
  // behind it was a fifth of a batch's CPU). Bounded, as texts with names in them differ.
  const measured = new Map<string, ReturnType<typeof measureSms>>();
  function measure(text: string) {
    let result = measured.get(text);
    if (!result) {
      if (measured.size >= 1000) measured.clear();
      result = measureSms(text);
      measured.set(text, result);
    }
    return result;
  }

  function contextFor(participant: Pick<Participant, "language">, sms: boolean, now: Date): MessageContext {
    return {
      t: deps.translate(participant.language),
      language: participant.language,
      assembly: deps.assembly,
      now,
      sms,
    };
  }

  /** The row for one route (a draft inside `update`), in the form that medium gets. */
  function addIntent(
    data: DbData,
    route: Route,
    reply: Reply,
    fields: Pick<OutboxMessage, "participantId" | "purpose" | "key" | "fallbackFrom">,
    now: Date,
  ): OutboxMessage {
    if (route.channel !== SMS_CHANNEL)
      return addOutboxRow(
        data,
        { ...fields, channel: route.channel, to: addressOf(route), text: reply.text, status: "queued" },
        now,
      );
    const text = toGsmLookalikes(reply.text);
    const { encoding, segments } = measure(text);
    if (encoding !== "GSM-7" || segments > 3)
      logger.warn(
        { purpose: fields.purpose, encoding, segments },
        "sms is longer or costlier than it should be",
      );
    return addOutboxRow(
      data,
      {
        ...fields,
        channel: SMS_CHANNEL,
        to: addressOf(route),
        text,
        ...(deps.sms.dryRun ? { status: "dry-run" as const } : { status: "queued" as const, attempts: 1 }),
      },
      now,
    );
  }

  /** What a transport said about one row's message; nothing is written yet. */
  type Delivery =
    { via: "chat"; delivery: ChatDelivery } | { via: "sms"; delivery: SmsDelivery } | { via: "dry-run" };

  /** Sends the row's message on its route. A transport reports; it never throws at us. */
  async function deliver(route: Route, row: OutboxMessage, reply: Reply): Promise<Delivery> {
    if ("ref" in route)
      return { via: "chat", delivery: await deps.chat.send({ ref: route.ref, reply, purpose: row.purpose }) };
    if (row.status === "dry-run") return { via: "dry-run" };
    return {
      via: "sms",
      delivery: await deps.sms.deliver({
        to: row.to,
        body: row.text,
        beforeRetry: (attempts, failure) => recordRetry(row, attempts, failure),
      }),
    };
  }

  /**
   * Counts the next attempt on the row, with the error that made it necessary, on disk before
   * the retry leaves. A member who opted out or was erased while it waited gets no retry.
   */
  function recordRetry(row: OutboxMessage, attempts: number, failure: SmsFailure) {
    return write((data, now) => {
      const stored = findOutboxRow(data, row.id);
      if (!stored || stored.to !== row.to) return "erased" as const;
      if (findParticipantByPhone(data, row.to)?.optedOut) {
        updateOutboxRow(data, row.id, { status: "blocked", error: "opted out" }, now);
        return "opted-out" as const;
      }
      updateOutboxRow(data, row.id, { attempts, error: describeFailure(failure) }, now);
      return "go" as const;
    });
  }

  /**
   * Records what came of one row's message (a draft inside `update`) and says whether another
   * route may still reach the member: a chat that failed hands on to the phone.
   */
  function recordDelivery(
    data: DbData,
    route: Route,
    row: OutboxMessage,
    outcome: Delivery,
    now: Date,
  ): Attempt {
    const done = (result: SendResult): Attempt => ({ result, retryElsewhere: false });
    if (outcome.via === "dry-run") {
      logger.info({ outboxId: row.id, purpose: row.purpose }, "sms dry-run");
      return done({ status: "dry-run", channel: SMS_CHANNEL, outboxId: row.id });
    }
    if (outcome.via === "chat") {
      const delivery = outcome.delivery;
      if (delivery.status === "sent") {
        updateOutboxRow(data, row.id, { status: "sent" }, now);
        return done({ status: "sent", channel: route.channel, outboxId: row.id });
      }
      updateOutboxRow(data, row.id, { status: "failed", error: delivery.error }, now);
      if (delivery.permanent && "ref" in route) markUnusable(data, route.ref, delivery.error, now);
      logger.warn(
        { channel: route.channel, purpose: row.purpose, err: delivery.error, permanent: delivery.permanent },
        "chat message failed",
      );
      return { result: { status: "failed", error: delivery.error, outboxId: row.id }, retryElsewhere: true };
    }
    const delivery = outcome.delivery;
    switch (delivery.status) {
      case "sent": {
        const stored = findOutboxRow(data, row.id);
        if (stored) statuses.recordSent(data, stored, delivery.providerId);
        return done({
          status: "sent",
          channel: SMS_CHANNEL,
          outboxId: row.id,
          providerId: delivery.providerId,
        });
      }
      case "stopped":
        logger.info({ outboxId: row.id, reason: delivery.reason }, "sms not retried");
        if (delivery.reason === "opted-out")
          return done({ status: "blocked", reason: "opted-out", outboxId: row.id });
        updateOutboxRow(data, row.id, { status: "failed" }, now);
        return done({ status: "failed", error: "recipient erased", outboxId: row.id });
      case "failed":
        updateOutboxRow(data, row.id, { status: "failed", error: describeFailure(delivery.failure) }, now);
        if (delivery.failure.code === TWILIO_UNSUBSCRIBED) markPhoneOptedOut(data, row.to, now);
        logger.warn(
          { outboxId: row.id, code: delivery.failure.code, httpStatus: delivery.failure.status },
          "sms send failed",
        );
        return done({ status: "failed", error: delivery.failure.message, outboxId: row.id });
    }
  }

  /** Sends each row's message on its route, all at once, and records them in one write. */
  async function attemptAll(
    sends: Array<{ route: Route; row: OutboxMessage; reply: Reply }>,
  ): Promise<Attempt[]> {
    const outcomes = await Promise.all(sends.map(({ route, row, reply }) => deliver(route, row, reply)));
    return store.update((data) => {
      const now = clock();
      return sends.map(({ route, row }, index) => recordDelivery(data, route, row, outcomes[index]!, now));
    });
  }

  type Opened = { result: SendResult } | { row: OutboxMessage; reply: Reply };

  /**
   * Writes rows in the same update that checks the member may still get them, and puts them
   * on disk (inside a turn too) before anything (a message, a retry) leaves. What `decide`
   * returns is a copy: drafts are gone once the update is over.
   */
  async function write<T>(decide: (data: DbData, now: Date) => T): Promise<T> {
    const now = clock();
    const opened = await store.update((data) => decide(data, now));
    await store.commit();
    return opened;
  }

  /**
   * The row for `route` (a draft inside `update`), unless the member opted out meanwhile: then
   * nothing is written, as what we would have told them is theirs and no longer ours to keep.
   */
  function openRoute(
    data: DbData,
    participant: Participant,
    route: Route,
    args: SendToParticipantArgs,
    fallbackFrom: string | undefined,
    now: Date,
  ): Opened {
    if (participant.optedOut) return { result: { status: "blocked", reason: "opted-out" } };
    const fields = { participantId: participant.id, purpose: args.purpose, key: args.key, fallbackFrom };
    const reply = args.build(contextFor(participant, route.channel === SMS_CHANNEL, now));
    return { row: addIntent(data, route, reply, fields, now), reply };
  }

  /** The routes and the first route's row for one message (a draft inside `update`). */
  function openFirst(
    data: DbData,
    args: SendToParticipantArgs,
    now: Date,
  ): { opened: Opened; routes: Route[] } {
    const participant = findParticipant(data, args.participantId);
    if (!participant) return { opened: { result: UNKNOWN_PARTICIPANT }, routes: [] };
    const live = args.key ? findLiveRowByKey(data, args.key) : undefined;
    if (live)
      return {
        opened: { result: { status: "already-sent", channel: live.channel, outboxId: live.id } },
        routes: [],
      };
    const routes = chooseRoutes(data, participant, args.channel);
    if (!routes[0]) return { opened: { result: { status: "no-route" } }, routes };
    return { opened: openRoute(data, participant, routes[0], args, undefined, now), routes };
  }

  /**
   * Sends several messages at once: their rows in one write, the sends side by side, their
   * results in one write, so a batch of reminders shares its commits. The routes are chosen
   * once, in the first write; a chat that fails hands on to the next route.
   */
  async function sendToParticipants(list: SendToParticipantArgs[]): Promise<SendResult[]> {
    const results: SendResult[] = [];
    type Open = { index: number; routes: Route[]; step: number; row: OutboxMessage; reply: Reply };
    let open: Open[] = [];
    const first = await write((data, now) => list.map((args) => openFirst(data, args, now)));
    first.forEach(({ opened, routes }, index) => {
      if ("result" in opened) results[index] = opened.result;
      else open.push({ index, routes, step: 0, ...opened });
    });
    while (open.length > 0) {
      const attempts = await attemptAll(
        open.map(({ routes, step, row, reply }) => ({ route: routes[step]!, row, reply })),
      );
      const onward = open.filter((entry, position) => {
        const attempt = attempts[position]!;
        results[entry.index] = attempt.result;
        return attempt.retryElsewhere && entry.routes[entry.step + 1] !== undefined;
      });
      const reopened = await write((data, now) =>
        onward.map(({ index, routes, step }): Opened => {
          const participant = findParticipant(data, list[index]!.participantId);
          if (!participant) return { result: UNKNOWN_PARTICIPANT };
          return openRoute(data, participant, routes[step + 1]!, list[index]!, routes[step]!.channel, now);
        }),
      );
      open = [];
      onward.forEach((entry, position) => {
        const opened = reopened[position]!;
        if ("result" in opened) results[entry.index] = opened.result;
        else open.push({ ...entry, step: entry.step + 1, ...opened });
      });
    }
    return results;
  }

  /** An SMS to a number, member or not (the replies to a turn a restart interrupted). */
  async function sendSms(args: { to: string; body: string; purpose: string }): Promise<SendResult> {
    const route: Route = { channel: SMS_CHANNEL, phone: args.to };
    const opened = await write((data, now): Opened => {
      const participant = findParticipantByPhone(data, args.to);
      const fields = { participantId: participant?.id, purpose: args.purpose };
      // Kept, unlike a blocked message to a member: it answers what this number wrote to us.
      if (participant?.optedOut) {
        const row = addOutboxRow(
          data,
          {
            ...fields,
            channel: SMS_CHANNEL,
            to: args.to,
            text: toGsmLookalikes(args.body),
            status: "blocked",
            error: "opted out",
          },
          now,
        );
        return { result: { status: "blocked", reason: "opted-out", outboxId: row.id } };
      }
      return { row: addIntent(data, route, { text: args.body }, fields, now), reply: { text: args.body } };
    });
    if ("result" in opened) return opened.result;
    return (await attemptAll([{ route, ...opened }]))[0]!.result;
  }

  let sending: Promise<number> | undefined;

  /** One run at a time, so a notice is never picked up twice. */
  function sendPending(): Promise<number> {
    sending ??= sendPendingNow().finally(() => (sending = undefined));
    return sending;
  }

  async function sendPendingNow(): Promise<number> {
    const pending = store.data.outbox.filter((message) => message.status === "pending");
    for (const message of pending) {
      const ref = findUsableConversation(store.data, message.channel, message.to);
      if (!ref) {
        await store.update(
          (data) =>
            void updateOutboxRow(data, message.id, { status: "failed", error: "no conversation" }, clock()),
        );
        continue;
      }
      await attemptAll([
        { route: { channel: ref.channel, ref }, row: message, reply: { text: message.text } },
      ]);
    }
    return pending.length;
  }

  return {
    smsDryRun: deps.sms.dryRun,
    sendToParticipants,
    /** Sends one message; see sendToParticipants. */
    sendToParticipant: async (args: SendToParticipantArgs) => (await sendToParticipants([args]))[0]!,
    sendSms,
    sendPending,
    recordDeliveryStatus: statuses.record,

    /**
     * Tells the organizers who use the bot in Teams. The notices are kept on disk with the
     * caller's turn and sent after it, so a slow channel never holds up a member's reply.
     * Returns how many notices were queued.
     */
    async notifyOrganizers(args: {
      reply: Reply;
      purpose: string;
      aboutParticipantId: string;
    }): Promise<number> {
      const now = clock();
      const queued = await store.update((data) => {
        const refs = data.conversationRefs.filter((ref) => {
          if (ref.channel !== "msteams" || ref.unusableSince) return false;
          const participant = findParticipant(data, ref.participantId);
          if (!participant || participant.optedOut) return false;
          return deps.organizers.isOrganizer({ aadObjectId: ref.key, email: participant.email });
        });
        for (const ref of refs)
          addOutboxRow(
            data,
            {
              channel: ref.channel,
              to: ref.key,
              participantId: ref.participantId,
              aboutParticipantId: args.aboutParticipantId,
              purpose: args.purpose,
              text: args.reply.text,
              status: "pending",
            },
            now,
          );
        return refs.length;
      });
      store.afterTurn(() => {
        sendPending().catch((error: unknown) =>
          logger.error({ err: error }, "could not send organizer notices"),
        );
      });
      return queued;
    },

    /** Keeps the replies that went back inside a webhook's TwiML in the outbox, like every other SMS. */
    async recordReplies({ to, bodies }: { to: string; bodies: string[] }): Promise<void> {
      const now = clock();
      try {
        await store.update((data) => {
          // A reply to someone erased in this very turn ("Dine oplysninger er slettet") is counted, not kept.
          const participant = findParticipantByPhone(data, to);
          for (const body of bodies)
            addOutboxRow(
              data,
              participant
                ? {
                    channel: SMS_CHANNEL,
                    to,
                    participantId: participant.id,
                    purpose: "reply",
                    text: toGsmLookalikes(body),
                    status: "sent",
                  }
                : {
                    channel: SMS_CHANNEL,
                    to: "[slettet]",
                    purpose: "reply",
                    text: "[slettet]",
                    status: "sent",
                  },
              now,
            );
        });
      } catch (error) {
        // Bookkeeping only: the member still gets the reply, which matters more.
        logger.warn({ err: error }, "could not record SMS replies in the outbox");
      }
    },
  };
}
