import { readDataFile } from "../../bot/store/store.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbData } from "../../bot/store/schema.js";
import { startFakeConnector, type ConnectorRefusal } from "../helpers/fakeConnector.js";
import { botActivity, postJson } from "../helpers/http.js";
import { organizerApi, TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

/*
 * Teams without expectReplies, as Azure Bot Service really calls the bot: replies and
 * proactive messages go to the Bot Connector (here a fake one on loopback).
 *
 * Each test has its own server, data file and connector, and brings Signe to where it begins
 * itself (the steps below), so any one of them can run alone.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const SIGNE_AAD = "22222222-3333-4444-5555-666666666666";
let server: TestServer;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let api: ReturnType<typeof organizerApi>;

const readDb = () => readDataFile(server.dbFile);

beforeEach(async () => {
  // At the moment each message reaches the connector, look at what is on disk.
  connector = await startFakeConnector(() => readDb());
  server = await startTestServer({ now: NOW, env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN } });
  api = organizerApi(server.baseUrl);
});
afterEach(async () => {
  await server.cleanup();
  await connector.close();
});

function fromSigne(text: string, value?: Record<string, unknown>) {
  return postJson(
    `${server.baseUrl}/api/messages`,
    botActivity(text, {
      channelId: "msteams",
      serviceUrl: connector.serviceUrl,
      deliveryMode: undefined,
      from: { id: "29:signe", aadObjectId: SIGNE_AAD, name: "Signe Storm" },
      conversation: { id: "a:signe-personal", conversationType: "personal" },
      ...(value ? { value } : {}),
    }),
  );
}

/** Signe has opened the app in Teams and written to the bot, so it can reach her there. */
async function signeHasWritten(): Promise<void> {
  expect((await fromSigne("hvem vinder superligaen i år")).status).toBe(200);
}

/** The organizers import Signe, listed with her Teams id, and invite her. */
async function signeIsInvited(): Promise<void> {
  await signeHasWritten();
  await api.importCsv(`name,phone,teams_id\nSigne Storm,+4527374757,${SIGNE_AAD}\n`);
  await api.invite();
}

/** Signe has clicked Ja on the invitation. */
async function signeHasAccepted(): Promise<void> {
  await signeIsInvited();
  await fromSigne("", { text: "ja", msteams: { type: "imBack", value: "ja" } });
}

describe("in Teams", () => {
  it("sends no reply before the change it confirms is on disk", async () => {
    const res = await fromSigne("hvem vinder superligaen i år");
    expect(res.status).toBe(200);
    const answer = connector.received.find((r) => r.activity.text?.startsWith("Det ved jeg ikke"))!;
    expect(answer).toBeDefined();
    const onDiskThen = answer.seen as DbData;
    expect(onDiskThen.inbox.map((item) => item.text)).toContain("hvem vinder superligaen i år");
  });

  it("invites a listed member who has the app in Teams, with Ja / Nej / Måske buttons", async () => {
    await signeHasWritten();
    await api.importCsv(`name,phone,teams_id\nSigne Storm,+4527374757,${SIGNE_AAD}\n`);
    expect(await api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    const invitation = connector.received.at(-1)!;
    expect(invitation.conversationId).toBe("a:signe-personal");
    const card = invitation.activity.attachments![0]!.content;
    expect(card.body[0]!.text).toMatch(
      /^Hej Signe\. Eksempel Kommune inviterer dig til Borgersamlingen om klima og grøn omstilling\./,
    );
    expect(card.actions!.map((action) => action.title)).toEqual(["Ja", "Nej", "Måske"]);
    const outbox = (await api.outbox()).messages.at(0)!;
    expect(outbox).toMatchObject({
      channel: "msteams",
      purpose: "invitation",
      status: "sent",
      to: "2222****",
    });
  });

  it("accepts a click on Ja, and the confirmation follows the change on disk", async () => {
    await signeIsInvited();
    const before = connector.received.length;
    await fromSigne("", { text: "ja", msteams: { type: "imBack", value: "ja" } });
    const replies = connector.received.slice(before);
    expect(replies[0]!.activity.text).toMatch(
      /^Tak, du er tilmeldt\. Vi mødes tirsdag 15\. dec\. kl\. 17-21/,
    );
    const onDiskThen = replies[0]!.seen as DbData;
    expect(onDiskThen.participants.find((p) => p.name === "Signe Storm")!.invitation).toBe("accepted");
    expect(replies[1]!.activity.text).toMatch(/^Har du brug for noget særligt/);
  });

  it("keeps the invitation answer and dialog across a restart", async () => {
    await signeHasAccepted();
    await server.close();
    server = await startTestServer({
      now: NOW,
      dataDir: server.dataDir,
      env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN },
    });
    api = organizerApi(server.baseUrl);
    const before = connector.received.length;
    await fromSigne("Jeg har brug for glutenfri mad");
    expect(connector.texts().slice(before)).toEqual([
      "Tak. Vi har skrevet det ned, så vi kan sørge for det.",
    ]);
    expect((await readDb()).participants.find((p) => p.name === "Signe Storm")!.needs).toBe(
      "Jeg har brug for glutenfri mad",
    );
  });

  it("asks a question only once the dialog that waits for the answer is on disk", async () => {
    await signeHasAccepted();
    await fromSigne("Jeg har brug for glutenfri mad");
    const before = connector.received.length;
    await fromSigne("slet mine oplysninger");
    const question = connector.received
      .slice(before)
      .find((r) => JSON.stringify(r.activity).includes("sletter alle dine oplysninger"))!;
    const state = (question.seen as DbData).botState.find(
      (item) => item.key === "msteams/conversations/a:signe-personal/",
    );
    expect(JSON.stringify(state)).toContain("deleteDataDialog");
    await fromSigne("nej");
    expect(connector.texts().at(-1)).toBe("Fint. Vi har ikke slettet noget.");
  });

  it("falls back to SMS when Teams fails, and keeps the failure in the outbox", async () => {
    await signeHasAccepted();
    await connector.close();
    expect(await api.remind("m1")).toEqual({ sent: 1, skipped: 0 });
    const reminders = (await api.outbox()).messages.filter((m) => m.purpose === "reminder");
    expect(reminders.map((m) => [m.channel, m.status])).toEqual(
      expect.arrayContaining([
        ["msteams", "failed"],
        ["sms", "dry-run"],
      ]),
    );
  });

  it("keeps the conversation after a failure that may pass, and tries Teams again next time", async () => {
    await signeHasAccepted();
    connector.refuse("a:signe-personal", 502);
    expect(await api.remind("m1")).toEqual({ sent: 1, skipped: 0 });
    const [ref] = (await readDb()).conversationRefs.filter((r) => r.channel === "msteams");
    expect(ref!.unusableSince).toBeUndefined();
    expect(ref!.unusableReason).toBeUndefined();

    connector.accept("a:signe-personal");
    const before = connector.attempts.length;
    expect(await api.remind("m2")).toEqual({ sent: 1, skipped: 0 });
    expect(connector.attempts.slice(before)).toEqual([{ conversationId: "a:signe-personal", status: 200 }]);
    const reminders = (await readDb()).outbox.filter((m) => m.purpose === "reminder");
    expect(reminders.map((m) => [m.channel, m.status])).toEqual([
      ["msteams", "failed"],
      ["sms", "dry-run"],
      ["msteams", "sent"],
    ]);
  });
});

describe("when the Bot Connector refuses the conversation for good", () => {
  const refusals: Array<[ConnectorRefusal, string, string]> = [
    [404, "ConversationNotFound", "Bot Connector 404 ConversationNotFound: Conversation not found."],
    [
      403,
      "BotNotInConversationRoster",
      "Bot Connector 403 BotNotInConversationRoster: The bot is not part of the conversation roster.",
    ],
  ];

  it.each(refusals)(
    "sends by SMS on a %i %s, marks the conversation unusable, and sends the next message straight by SMS",
    async (status, _code, reason) => {
      await signeHasAccepted();
      connector.refuse("a:signe-personal", status);
      const before = connector.attempts.length;

      expect(await api.remind("m1")).toEqual({ sent: 1, skipped: 0 });
      expect(connector.attempts.slice(before)).toEqual([{ conversationId: "a:signe-personal", status }]);
      let db = await readDb();
      const signe = db.participants.find((p) => p.name === "Signe Storm")!;
      expect(
        db.outbox
          .filter((m) => m.purpose === "reminder")
          .map(({ channel, to, participantId, status, error }) => ({
            channel,
            to,
            participantId,
            status,
            error,
          })),
      ).toEqual([
        { channel: "msteams", to: SIGNE_AAD, participantId: signe.id, status: "failed", error: reason },
        { channel: "sms", to: "+4527374757", participantId: signe.id, status: "dry-run", error: undefined },
      ]);
      const [ref] = db.conversationRefs.filter((r) => r.channel === "msteams");
      expect(ref).toMatchObject({ unusableSince: NOW.toISOString(), unusableReason: reason });
      expect(db.history.filter((event) => event.change === "conversation-unusable")).toEqual([
        {
          at: NOW.toISOString(),
          participantId: signe.id,
          channel: "msteams",
          actor: "system",
          change: "conversation-unusable",
          detail: { reason },
        },
      ]);

      // Not tried again, not even once: the next message goes by SMS alone.
      expect(await api.remind("m2")).toEqual({ sent: 1, skipped: 0 });
      expect(connector.attempts.slice(before)).toHaveLength(1);
      db = await readDb();
      expect(db.outbox.filter((m) => m.purpose === "reminder").map((m) => [m.channel, m.status])).toEqual([
        ["msteams", "failed"],
        ["sms", "dry-run"],
        ["sms", "dry-run"],
      ]);
    },
  );

  it("uses Teams again once the member writes to the bot there", async () => {
    await signeHasAccepted();
    connector.refuse("a:signe-personal", 404);
    expect(await api.remind("m1")).toEqual({ sent: 1, skipped: 0 });

    // Signe adds the bot back and writes: the same conversation works again.
    connector.accept("a:signe-personal");
    await signeHasWritten();
    const [ref] = (await readDb()).conversationRefs.filter((r) => r.channel === "msteams");
    expect(ref!.unusableSince).toBeUndefined();
    expect(ref!.unusableReason).toBeUndefined();

    expect(await api.remind("m2")).toEqual({ sent: 1, skipped: 0 });
    const reminders = (await readDb()).outbox.filter((m) => m.purpose === "reminder");
    expect(reminders.map((m) => [m.channel, m.status])).toEqual([
      ["msteams", "failed"],
      ["sms", "dry-run"],
      ["msteams", "sent"],
    ]);
  });
});
