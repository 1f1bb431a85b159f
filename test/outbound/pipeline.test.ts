import { afterEach, describe, expect, it } from "vitest";
import type { ChatDelivery, ChatTransport } from "../../bot/outbound/transports.js";
import type { Participant } from "../../bot/store/schema.js";
import type { Store } from "../../bot/store/store.js";
import { readDataFile } from "../../bot/store/store.js";
import { createTestOutbound } from "../helpers/outbound.js";
import { openTempStore } from "../helpers/tempStore.js";

const NOW = new Date("2026-11-28T10:00:00Z");
const clock = () => NOW;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A chat that answers `answers` in order and records what the outbox held when each send left. */
function fakeChat(file: string, ...answers: ChatDelivery[]) {
  const sent: Array<{ channel: string; text: string; onDisk: string[] }> = [];
  const chat: ChatTransport = {
    async send({ ref, reply }) {
      const onDisk = (await readDataFile(file)).outbox.map((row) => `${row.channel} ${row.status}`);
      sent.push({ channel: ref.channel, text: reply.text, onDisk });
      return answers.shift() ?? { status: "sent" };
    },
  };
  return { chat, sent };
}

async function setup(member: Partial<Participant> = {}, chats: string[] = ["msteams"]) {
  const temp = await openTempStore(clock);
  cleanups.push(() => temp.cleanup());
  const { store } = temp;
  await store.update((data) => {
    data.participants.push({
      id: "p1",
      name: "Bente",
      phone: "+4520304050",
      language: "da",
      createdAt: NOW.toISOString(),
      onList: true,
      invitation: "accepted",
      optedOut: false,
      ...member,
    });
    chats.forEach((channel, index) =>
      data.conversationRefs.push({
        channel,
        key: `${channel}-user`,
        participantId: "p1",
        reference: { conversation: { id: `${channel}-conversation` } },
        // The later in the list, the more recently used.
        updatedAt: new Date(NOW.getTime() - (chats.length - index) * 60_000).toISOString(),
      }),
    );
  });
  return { store, file: temp.file };
}

const build = (ctx: { sms: boolean }) => ({ text: ctx.sms ? "Husk mødet (sms)" : "Husk mødet" });
const rows = (store: Store) =>
  store.data.outbox.map((row) => ({
    channel: row.channel,
    to: row.to,
    status: row.status,
    text: row.text,
    ...(row.error ? { error: row.error } : {}),
    ...(row.fallbackFrom ? { fallbackFrom: row.fallbackFrom } : {}),
  }));

describe("sendToParticipant", () => {
  it("writes the outbox row to disk before the message leaves, then records it sent", async () => {
    const { store, file } = await setup();
    const { chat, sent } = fakeChat(file);
    const outbound = createTestOutbound({ store, clock, chat });
    const result = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    expect(result).toEqual({ status: "sent", channel: "msteams", outboxId: store.data.outbox.at(0)!.id });
    expect(sent).toEqual([{ channel: "msteams", text: "Husk mødet", onDisk: ["msteams queued"] }]);
    expect(rows(store)).toEqual([
      { channel: "msteams", to: "msteams-user", status: "sent", text: "Husk mødet" },
    ]);
  });

  it("goes to the chat the member used last", async () => {
    const { store, file } = await setup({}, ["msteams", "webchat"]);
    const { chat, sent } = fakeChat(file);
    await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(sent.map((entry) => entry.channel)).toEqual(["webchat"]);
  });

  it("answers on the channel named, SMS included, even when a chat was used later", async () => {
    const { store, file } = await setup({}, ["webchat", "msteams"]);
    const { chat, sent } = fakeChat(file);
    const outbound = createTestOutbound({ store, clock, chat });
    await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "handoff-answer",
      build,
      channel: "webchat",
    });
    const bySms = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "handoff-answer",
      build,
      channel: "sms",
    });
    expect(sent.map((entry) => entry.channel)).toEqual(["webchat"]);
    expect(bySms).toMatchObject({ status: "dry-run", channel: "sms" });
    expect(rows(store).map((row) => `${row.channel} ${row.text}`)).toEqual([
      "webchat Husk mødet",
      "sms Husk mødet (sms)",
    ]);
  });

  it("does not send a message again while one with its key is out", async () => {
    const { store, file } = await setup();
    const { chat, sent } = fakeChat(file);
    const outbound = createTestOutbound({ store, clock, chat });
    const first = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    const second = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    expect(second).toEqual({
      status: "already-sent",
      channel: "msteams",
      outboxId: first.status === "sent" ? first.outboxId : "",
    });
    expect(sent).toHaveLength(1);
    expect(store.data.outbox.length).toBe(1);
  });

  it("sends a message again when the one with its key failed", async () => {
    const { store, file } = await setup({ phone: undefined });
    const { chat, sent } = fakeChat(file, { status: "failed", error: "503", permanent: false });
    const outbound = createTestOutbound({ store, clock, chat });
    const first = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    const second = await outbound.sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    expect([first.status, second.status]).toEqual(["failed", "sent"]);
    expect(sent).toHaveLength(2);
  });

  it("falls back to SMS when Teams refuses the conversation for good, marks it unusable, and says so in the outbox", async () => {
    const { store, file } = await setup();
    const { chat } = fakeChat(file, { status: "failed", error: "Bot Connector 404", permanent: true });
    const result = await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
      key: "k1",
    });
    expect(result).toMatchObject({ status: "dry-run", channel: "sms" });
    expect(rows(store)).toEqual([
      {
        channel: "msteams",
        to: "msteams-user",
        status: "failed",
        text: "Husk mødet",
        error: "Bot Connector 404",
      },
      {
        channel: "sms",
        to: "+4520304050",
        status: "dry-run",
        text: "Husk mødet (sms)",
        fallbackFrom: "msteams",
      },
    ]);
    expect(store.data.outbox.map((row) => row.key)).toEqual(["k1", "k1"]);
    expect(store.data.conversationRefs.at(0)).toMatchObject({
      unusableSince: NOW.toISOString(),
      unusableReason: "Bot Connector 404",
    });
  });

  it("falls back to SMS when Teams fails for now, and keeps the conversation", async () => {
    const { store, file } = await setup();
    const { chat } = fakeChat(file, {
      status: "failed",
      error: "Bot Connector 503",
      permanent: false,
    });
    const result = await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(result).toMatchObject({ status: "dry-run", channel: "sms" });
    expect(store.data.conversationRefs.at(0)!.unusableSince).toBeUndefined();
  });

  it("reports the chat's failure when there is no phone to fall back to", async () => {
    const { store, file } = await setup({ phone: undefined });
    const { chat } = fakeChat(file, {
      status: "failed",
      error: "Bot Connector 503",
      permanent: false,
    });
    const result = await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(result).toEqual({
      status: "failed",
      error: "Bot Connector 503",
      outboxId: store.data.outbox.at(0)!.id,
    });
  });

  it("sends nothing to a member who opted out, and keeps no copy of the message", async () => {
    const { store, file } = await setup({ optedOut: true });
    const { chat, sent } = fakeChat(file);
    const result = await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(result).toMatchObject({ status: "blocked", reason: "opted-out" });
    expect(sent).toEqual([]);
    expect(store.data.outbox.length).toBe(0);
  });

  it("does not fall back to SMS for a member who opted out while the chat message failed", async () => {
    const { store } = await setup();
    const chat: ChatTransport = {
      async send() {
        await store.update((data) => void (data.participants.at(0)!.optedOut = true));
        return { status: "failed", error: "Bot Connector 503", permanent: false };
      },
    };
    const result = await createTestOutbound({ store, clock, chat }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(result).toMatchObject({ status: "blocked", reason: "opted-out" });
    expect(rows(store).map((row) => `${row.channel} ${row.status}`)).toEqual(["msteams failed"]);
  });

  it("says there is no way to reach a member with neither a chat nor a phone, and writes no row", async () => {
    const { store } = await setup({ phone: undefined }, []);
    const result = await createTestOutbound({ store, clock }).sendToParticipant({
      participantId: "p1",
      purpose: "reminder",
      build,
    });
    expect(result).toEqual({ status: "no-route" });
    expect(store.data.outbox.length).toBe(0);
  });

  it("sends nothing for a member who is not (or no longer) in the store", async () => {
    const { store } = await setup();
    const result = await createTestOutbound({ store, clock }).sendToParticipant({
      participantId: "gone",
      purpose: "reminder",
      build,
    });
    expect(result).toEqual({ status: "blocked", reason: "unknown-participant" });
    expect(store.data.outbox.length).toBe(0);
  });
});
