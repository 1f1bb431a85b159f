import { z } from "zod";
import { Table, tableOf } from "./table.js";

/**
 * The shape of data/db.json. Every record a later feature needs has its table here from the
 * start, so the file is validated as a whole at startup and migrations have one place to live.
 */
export const SCHEMA_VERSION = 3;

const isoTime = z.iso.datetime({ offset: true });
/** Bot Framework channel id: "sms", "msteams", "webchat", "local", "emulator"… */
export const CHANNEL_ID_PATTERN = /^[a-z0-9-]+$/;
const channel = z.string().regex(CHANNEL_ID_PATTERN);
export type Channel = z.infer<typeof channel>;

export const actorSchema = z.enum(["member", "organizer", "system"]);

const participant = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  /** Teams user id or AAD object id from the organizers' list, to invite in Teams. */
  teamsId: z.string().optional(),
  language: z.enum(["da", "en"]).default("da"),
  createdAt: isoTime,
  /** On the organizers' list (imported), as opposed to someone who only wrote in. */
  onList: z.boolean().default(false),
  invitation: z.enum(["none", "invited", "accepted", "declined", "maybe"]).default("none"),
  /** When `invitation` last changed: a member who accepts late gets only the reminders ahead. */
  invitationAt: isoTime.optional(),
  optedOut: z.boolean().default(false),
  needs: z.string().optional(),
  welcomedAt: isoTime.optional(),
  /** A session reminder asked "Kommer du?"; the next yes or no is about this session. */
  awaitingSession: z.object({ sessionId: z.string(), askedAt: isoTime }).optional(),
});
export type Participant = z.infer<typeof participant>;

/** One participant can be reached on several channels: phone, Teams id, a Web Chat user. */
const identity = z.object({
  channel,
  /** E.164 number on SMS, the AAD object id or channel user id elsewhere. */
  key: z.string().min(1),
  participantId: z.string().min(1),
});
export type Identity = z.infer<typeof identity>;

const conversationRef = z.object({
  channel,
  key: z.string().min(1),
  participantId: z.string().min(1),
  /** A Bot Framework ConversationReference, kept as JSON so the store does not depend on botbuilder. */
  reference: z.record(z.string(), z.unknown()),
  updatedAt: isoTime,
  /**
   * When the Bot Connector refused this conversation for good (403: bot removed, 404:
   * conversation gone). Nothing is sent on it again; the member's next message to the bot
   * clears it. Optional, so older files need no migration.
   */
  unusableSince: isoTime.optional(),
  /** The refusal, e.g. "404 ConversationNotFound". */
  unusableReason: z.string().optional(),
});
export type ConversationRef = z.infer<typeof conversationRef>;

const attendance = z.object({
  participantId: z.string(),
  sessionId: z.string(),
  /** No row for a session means unknown. */
  status: z.enum(["attending", "absent"]),
  reason: z.string().optional(),
  updatedAt: isoTime,
});

const feedback = z.object({
  id: z.string(),
  participantId: z.string().optional(),
  sessionId: z.string(),
  questionId: z.string(),
  rating: z.number().int().min(1).max(5).optional(),
  text: z.string().optional(),
  at: isoTime,
});

/**
 * The scheduler's ledger: one row per automatic message it attempted, sent or skipped, keyed
 * like the plan (`id`). What is due is worked out from the assembly file each time; only what
 * was done is kept. `sending` is written before the send, so a crash in between leaves a row
 * that the next start marks `uncertain` instead of sending it a second time.
 */
const reminderJob = z.object({
  /** The plan's key; with `participantId` it names the row. */
  id: z.string(),
  participantId: z.string(),
  /** The session it is about; an invitation nudge is about the assembly. */
  sessionId: z.string().optional(),
  kind: z.enum(["reminder", "nudge", "feedback", "session-change"]),
  plannedFor: isoTime,
  status: z.enum(["sending", "sent", "skipped", "failed", "uncertain"]),
  reason: z.string().optional(),
  channel: z.string().optional(),
  /** Who sends it, and until when the claim holds, so a second process could share the work. */
  lease: z.object({ owner: z.string(), until: isoTime }).optional(),
  updatedAt: isoTime,
});
export type ReminderJob = z.infer<typeof reminderJob>;

const outboxMessage = z.object({
  id: z.string(),
  channel,
  to: z.string(),
  participantId: z.string().optional(),
  purpose: z.string(),
  text: z.string(),
  /** pending: waits, on disk, to be sent once the turn that made it is over (organizer notices). */
  status: z.enum(["pending", "queued", "dry-run", "sent", "delivered", "undelivered", "failed", "blocked"]),
  providerId: z.string().optional(),
  /**
   * Why it failed. While an SMS is retried, the last attempt's error; removed once one gets
   * through.
   */
  error: z.string().optional(),
  /** SMS to Twilio: how many requests were made for it, retries of a 429 or 5xx included. */
  attempts: z.number().int().min(1).optional(),
  /** A message to the organizers about a member (an absence notice); erased with them. */
  aboutParticipantId: z.string().optional(),
  /**
   * Names what the message is for (a reminder to one member for one session, say). While a row
   * with this key is sent or on its way, the same message is not sent again.
   */
  key: z.string().optional(),
  /** Sent by SMS because this chat channel failed; its failed row has the same key. */
  fallbackFrom: channel.optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type OutboxMessage = z.infer<typeof outboxMessage>;

const inboxItem = z.object({
  id: z.string(),
  participantId: z.string().optional(),
  channel,
  text: z.string(),
  reason: z.string(),
  status: z.enum(["open", "answered"]),
  createdAt: isoTime,
  answer: z.string().optional(),
  answeredAt: isoTime.optional(),
  /** What happened to the answer: sent, or why it was not. */
  delivery: z.enum(["sent", "opted-out", "unknown-participant", "no-conversation"]).optional(),
});
export type InboxItem = z.infer<typeof inboxItem>;

const historyEvent = z.object({
  at: isoTime,
  participantId: z.string().optional(),
  channel: channel.optional(),
  actor: actorSchema,
  change: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type HistoryEvent = z.infer<typeof historyEvent>;

/** Bot Framework dialog and conversation state, written through the Storage adapter. */
const stateItem = z.object({
  key: z.string().min(1),
  eTag: z.string(),
  value: z.record(z.string(), z.unknown()),
});
export type StateItem = z.infer<typeof stateItem>;

/** Messages to the local chat page that arrived outside a turn (reminders, organizer answers). */
const localDelivery = z.object({
  seq: z.number().int(),
  userId: z.string(),
  activity: z.record(z.string(), z.unknown()),
  at: isoTime,
});

/**
 * The inbound journal: an SMS is kept here before Twilio is answered, and marked done in the
 * same commit as its turn's changes, so a crash in between runs it again at the next start.
 * The sender's number and the text are dropped once it is done: a redelivered webhook gets
 * empty TwiML, and nothing personal stays behind.
 */
const inboundMessage = z.object({
  sid: z.string().min(1),
  channel,
  from: z.string().optional(),
  body: z.string().optional(),
  receivedAt: isoTime,
  status: z.enum(["received", "done", "failed"]),
  attempts: z.number().int().min(0),
  doneAt: isoTime.optional(),
});
export type InboundMessage = z.infer<typeof inboundMessage>;

/**
 * A session that the assembly file moved or cancelled while it was still ahead, as a start
 * found it. The members who would have been reminded get one notice about it.
 */
const sessionChange = z.object({
  sessionId: z.string(),
  /** The start it had. */
  from: isoTime,
  /** The start it has now; absent when it was cancelled. */
  to: isoTime.optional(),
  seenAt: isoTime,
});
export type SessionChange = z.infer<typeof sessionChange>;

/** Tables default to empty, so adding a table later needs no migration step. */
export const dbSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  meta: z.object({
    createdAt: isoTime,
    demoAnchor: z.iso.date().optional(),
    /** Each session's start (and whether it is cancelled) as the last start saw the assembly file. */
    schedule: z
      .record(z.string(), z.object({ start: isoTime, cancelled: z.boolean().optional() }))
      .optional(),
    /** The last commit of DB_FILE.wal folded into this snapshot; later ones are replayed at start. */
    walSeq: z.number().int().min(0).optional(),
    /** Tells a wrong or replaced DB_FILE.key apart from the one the data was keyed with. */
    keyCheck: z.string().optional(),
  }),
  participants: tableOf(participant),
  identities: tableOf(identity),
  conversationRefs: tableOf(conversationRef),
  attendance: tableOf(attendance),
  feedback: tableOf(feedback),
  reminderJobs: tableOf(reminderJob),
  outbox: tableOf(outboxMessage),
  inbox: tableOf(inboxItem),
  history: tableOf(historyEvent),
  botState: tableOf(stateItem),
  inbound: tableOf(inboundMessage),
  sessionChanges: tableOf(sessionChange),
  localDeliveries: tableOf(localDelivery),
  /**
   * HMAC-SHA-256 (keyed with DB_FILE.key) of the phone numbers of people who asked to be
   * erased, or were erased after opting out, so a later import does not invite them again.
   * The only trace kept of them.
   */
  suppressedPhones: z.array(z.string()).default([]),
});
export type DbData = z.infer<typeof dbSchema>;

export function emptyDb(now: Date): DbData {
  return {
    schemaVersion: SCHEMA_VERSION,
    meta: { createdAt: now.toISOString() },
    participants: new Table(),
    identities: new Table(),
    conversationRefs: new Table(),
    attendance: new Table(),
    feedback: new Table(),
    reminderJobs: new Table(),
    outbox: new Table(),
    inbox: new Table(),
    history: new Table(),
    botState: new Table(),
    inbound: new Table(),
    sessionChanges: new Table(),
    localDeliveries: new Table(),
    suppressedPhones: [],
  };
}

type Tables = Omit<DbData, "schemaVersion" | "meta">;
/** The tables kept in chunks (`Table`): every one but the list of hashes, which seldom changes. */
export const CHUNKED_TABLES = [
  "participants",
  "identities",
  "conversationRefs",
  "attendance",
  "feedback",
  "reminderJobs",
  "outbox",
  "inbox",
  "history",
  "botState",
  "inbound",
  "sessionChanges",
  "localDeliveries",
] as const satisfies readonly (keyof Tables)[];
/** The schema of one row of each table, so a commit checks only the rows it touched. */
export const rowSchemas: { [Name in keyof Tables]: z.ZodType } = {
  participants: participant,
  identities: identity,
  conversationRefs: conversationRef,
  attendance,
  feedback,
  reminderJobs: reminderJob,
  outbox: outboxMessage,
  inbox: inboxItem,
  history: historyEvent,
  botState: stateItem,
  inbound: inboundMessage,
  sessionChanges: sessionChange,
  localDeliveries: localDelivery,
  suppressedPhones: z.string(),
};
