import { randomUUID } from "node:crypto";
import type { Channel, DbData, HistoryEvent, Identity, Participant } from "../store/schema.js";

/** Mutators and lookups on the participant tables. They take the data and never write it. */

// Constant key functions, so the tables' per-chunk indexes are built once and reused.
const byId = (participant: Participant) => participant.id;
const byPhone = (participant: Participant) => participant.phone;
const byChannelKey = (identity: Identity) => identityKey(identity.channel, identity.key);
const identityKey = (channel: string, key: string) => `${channel}\u0000${key}`;

export function findParticipant(data: DbData, id: string): Participant | undefined {
  return data.participants.lookup(byId, id);
}

/** For mutators: a record that is gone (erased or merged meanwhile) must not be written to. */
export function mustFindParticipant(data: DbData, id: string): Participant {
  const participant = findParticipant(data, id);
  if (!participant) throw new ParticipantGone(`participants: ${id} no longer exists (erased or merged)`);
  return participant;
}

export class ParticipantGone extends Error {}

/** What erasure leaves in place of a person's id on the rows that still count. */
export const ANONYMOUS_ID_PREFIX = "erased-";

export function findParticipantByIdentity(
  data: DbData,
  channel: Channel,
  key: string,
): Participant | undefined {
  const identity = data.identities.lookup(byChannelKey, identityKey(channel, key));
  return identity ? findParticipant(data, identity.participantId) : undefined;
}

export function findParticipantByPhone(data: DbData, phone: string): Participant | undefined {
  return data.participants.lookup(byPhone, phone);
}

/**
 * The participant behind a channel identity, created on first contact. An SMS identity is the
 * phone number, so a number the organizers imported finds its record here.
 */
export function ensureParticipant(
  data: DbData,
  identity: { channel: Channel; key: string; name?: string; aliases?: string[] },
  now: Date,
): { participant: Participant; created: boolean } {
  const known =
    findParticipantByIdentity(data, identity.channel, identity.key) ??
    (identity.channel === "sms" ? findParticipantByPhone(data, identity.key) : undefined) ??
    // Only Teams can vouch for a Teams id; on Web Chat anyone can pick any user id.
    (identity.channel === "msteams"
      ? findByTeamsId(data, [identity.key, ...(identity.aliases ?? [])])
      : undefined);
  if (known) {
    linkIdentity(data, known.id, identity.channel, identity.key);
    return { participant: known, created: false };
  }
  const participant: Participant = {
    id: randomUUID(),
    name: identity.name,
    phone: identity.channel === "sms" ? identity.key : undefined,
    language: "da",
    onList: false,
    createdAt: now.toISOString(),
    invitation: "none",
    optedOut: false,
  };
  data.participants.push(participant);
  linkIdentity(data, participant.id, identity.channel, identity.key);
  return { participant, created: true };
}

/** The organizers' list may give a Teams user id or AAD object id for a member. */
function findByTeamsId(data: DbData, keys: string[]): Participant | undefined {
  const wanted = new Set(keys.map((key) => key.toLowerCase()));
  return data.participants.find(
    (participant) => participant.teamsId && wanted.has(participant.teamsId.toLowerCase()),
  );
}

/**
 * Moves a channel identity and its conversations from a record created on first contact to the
 * listed participant it turned out to be (e.g. matched by email), and drops the empty record.
 */
export function mergeInto(data: DbData, fromId: string, intoId: string): Participant {
  const from = mustFindParticipant(data, fromId);
  const into = mustFindParticipant(data, intoId);
  const move = (entry: { participantId?: string }) => {
    if (entry.participantId === from.id) entry.participantId = into.id;
  };
  for (const table of [
    data.identities,
    data.conversationRefs,
    data.inbox,
    data.attendance,
    data.history,
    data.outbox,
    data.feedback,
    data.reminderJobs,
  ]) {
    for (const entry of table) move(entry);
  }
  // An opt-out given before the list arrived still stands.
  into.optedOut ||= from.optedOut;
  into.welcomedAt ??= from.welcomedAt;
  into.needs ??= from.needs;
  into.email ??= from.email;
  data.participants.removeWhere((participant) => participant.id === from.id);
  return into;
}

function linkIdentity(data: DbData, participantId: string, channel: Channel, key: string): void {
  if (!data.identities.lookup(byChannelKey, identityKey(channel, key))) {
    data.identities.push({ channel, key, participantId });
  }
}

export function recordHistory(data: DbData, event: Omit<HistoryEvent, "at">, now: Date): void {
  // Events about an erased person carry an anonymous id; any other id must still exist.
  if (event.participantId && !event.participantId.startsWith(ANONYMOUS_ID_PREFIX)) {
    mustFindParticipant(data, event.participantId);
  }
  data.history.push({ at: now.toISOString(), ...event });
}

/** Twilio says the number texted STOP to the carrier (21610): it gets nothing from us any more. */
export function markPhoneOptedOut(data: DbData, phone: string, now: Date): void {
  const participant = findParticipantByPhone(data, phone);
  if (!participant || participant.optedOut) return;
  participant.optedOut = true;
  recordHistory(
    data,
    {
      participantId: participant.id,
      channel: "sms",
      actor: "system",
      change: "opted-out",
      detail: { source: "twilio-21610" },
    },
    now,
  );
}
