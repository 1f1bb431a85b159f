import { readDataFile } from "../../bot/store/store.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Classify } from "../../dialogs/services.js";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { startFlowServer } from "../helpers/flowServer.js";
import {
  botActivity,
  postJson,
  postSms,
  smsParams,
  TEST_AUTH_TOKEN,
  TEST_PUBLIC_URL,
  twimlMessages,
} from "../helpers/http.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

let server: TestServer;

const APOLOGY = "Beklager, noget gik galt hos os. Prøv igen om lidt.";
const GREETING = "Hej. Hvad vil du gerne vide om borgersamlingen?";
const WELCOME_CHAT =
  "Hej og velkommen til Borgersamlingen om klima og grøn omstilling. Her kan du få svar på det praktiske, for eksempel hvornår og hvor vi mødes, mad og godtgørelse. Du kan også melde afbud her. Spørg bare løs.";
/** The first SMS from a number is answered with this before the answer itself. */
const WELCOME_SMS =
  "Hej. Det er Eksempel Kommune. Du kan skrive til os om Borgersamlingen om klima og grøn omstilling, fx hvornår og hvor vi mødes.";
const HANDOFF =
  "Det ved jeg ikke. Jeg har sendt dit spørgsmål videre til sekretariatet, som svarer dig inden for en hverdag.";
/** A message the classifier fails on, so its turn takes the failure path. */
const BREAKS_THE_TURN = "kast en fejl";

/** BASIC_INTENTS, failing on BREAKS_THE_TURN as a bug in a dialog would. */
const classify: Classify = (text) => {
  if (text === BREAKS_THE_TURN) throw new Error("classifier broke");
  return BASIC_INTENTS(text);
};

/** The texts of the replies in an expectReplies response, from plain text or an Adaptive Card. */
async function replyTexts(res: Response): Promise<string[]> {
  const { activities } = (await res.json()) as {
    activities: Array<{ text?: string; attachments?: Array<{ content: { body: Array<{ text: string }> } }> }>;
  };
  return activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
  );
}

beforeAll(async () => {
  server = await startTestServer({
    classify,
    env: { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, PUBLIC_URL: TEST_PUBLIC_URL },
  });
});
afterAll(() => server.cleanup());

async function db(): Promise<Record<string, Array<Record<string, unknown>>>> {
  return (await readDataFile(server.dbFile)) as unknown as Record<string, Array<Record<string, unknown>>>;
}

describe("GET /healthz", () => {
  it("answers 200 with a small JSON status", async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", localMode: true, smsDryRun: true });
  });
});

describe("POST /api/messages (Bot Framework)", () => {
  it("returns the replies in the response with deliveryMode expectReplies", async () => {
    const res = await postJson(`${server.baseUrl}/api/messages`, botActivity("hej"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      activities: Array<{
        attachments?: Array<{ contentType: string; content: { body: Array<{ text: string }> } }>;
      }>;
    };
    // First contact: the welcome, then the answer, both as Adaptive Cards with buttons.
    expect(body.activities.map((a) => a.attachments?.[0]?.contentType)).toEqual([
      "application/vnd.microsoft.card.adaptive",
      "application/vnd.microsoft.card.adaptive",
    ]);
    expect(body.activities[1]!.attachments![0]!.content.body[0]!.text).toBe(
      "Hej. Hvad vil du gerne vide om borgersamlingen?",
    );
  });

  it("welcomes a new member once on conversationUpdate", async () => {
    const update = botActivity("", {
      type: "conversationUpdate",
      text: undefined,
      from: { id: "webchat-user-new" },
      conversation: { id: "conv-new" },
      membersAdded: [{ id: "webchat-user-new" }, { id: "borgerbot" }],
    });
    const first = (await (await postJson(`${server.baseUrl}/api/messages`, update)).json()) as {
      activities: unknown[];
    };
    const second = (await (await postJson(`${server.baseUrl}/api/messages`, update)).json()) as {
      activities: unknown[];
    };
    expect(JSON.stringify(first.activities)).toContain(
      "velkommen til Borgersamlingen om klima og grøn omstilling",
    );
    expect(second.activities).toEqual([]);
  });

  it("writes nothing to disk for a turn that changes nothing", async () => {
    const activity = () =>
      botActivity("hej", { from: { id: "quiet-user" }, conversation: { id: "quiet-conv" } });
    await postJson(`${server.baseUrl}/api/messages`, activity());
    const before = server.app.store.commits;
    await postJson(`${server.baseUrl}/api/messages`, activity());
    expect(server.app.store.commits).toBe(before);
  });

  it("stores a conversation reference for later proactive messages", async () => {
    await postJson(
      `${server.baseUrl}/api/messages`,
      botActivity("hej", { from: { id: "ref-user" }, conversation: { id: "ref-conv" } }),
    );
    const refs = (await db()).conversationRefs!;
    expect(refs.find((ref) => ref.key === "ref-user")).toMatchObject({
      channel: "webchat",
      reference: { conversation: { id: "ref-conv" }, serviceUrl: "http://127.0.0.1:1/never-called" },
    });
  });

  it.each([
    ["malformed JSON", "{not json", "application/json", 400, "not valid JSON"],
    ["a JSON array", "[]", "application/json", 400, "JSON object"],
    ["a wrong content type", "type=message", "application/x-www-form-urlencoded", 415, "application/json"],
  ])("answers %s with a clear 4xx", async (_case, body, type, status, message) => {
    const res = await fetch(`${server.baseUrl}/api/messages`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it("answers an activity without a type with a 4xx, not a 500", async () => {
    const res = await postJson(`${server.baseUrl}/api/messages`, { text: "hej" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("answers a body over 256 KB with 413", async () => {
    const res = await postJson(`${server.baseUrl}/api/messages`, botActivity("x".repeat(300 * 1024)));
    expect(res.status).toBe(413);
  });

  it("refuses a from object nested 20,000 levels deep with 400, and goes on working", async () => {
    // Written as text: JSON.stringify would itself recurse 20,000 levels.
    const from = `{"id":"deep-user","n":${'{"n":'.repeat(20_000)}1${"}".repeat(20_000)}}`;
    const body = JSON.stringify(botActivity("hej", { from: "FROM" })).replace('"FROM"', from);
    const deep = await postJson(`${server.baseUrl}/api/messages`, body);
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ error: "body nests deeper than 32 levels" });
    const next = await postJson(
      `${server.baseUrl}/api/messages`,
      botActivity("hej", { from: { id: "after-deep" }, conversation: { id: "after-deep" } }),
    );
    expect(next.status).toBe(200);
    expect(await replyTexts(next)).toEqual([WELCOME_CHAT, GREETING]);
    expect(JSON.stringify(await db())).not.toContain("deep-user");
  });

  it("answers a turn that fails with the apology alone, not with what it had buffered", async () => {
    const res = await postJson(
      `${server.baseUrl}/api/messages`,
      botActivity(BREAKS_THE_TURN, { from: { id: "breaks-user" }, conversation: { id: "breaks-conv" } }),
    );
    expect(res.status).toBe(200);
    expect(await replyTexts(res)).toEqual([APOLOGY]);
  });

  it("answers invalid UTF-8 with 400", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"message","text":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${server.baseUrl}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bytes,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("UTF-8");
  });
});

describe("POST /api/sms (Twilio)", () => {
  it("runs a turn for a signed SMS and answers with TwiML", async () => {
    const res = await postSms(server.baseUrl, smsParams("+4520304050", "hej"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(twimlMessages(await res.text())).toEqual([WELCOME_SMS, GREETING]);
  });

  it("answers an SMS whose turn fails with the apology alone, in TwiML", async () => {
    const res = await postSms(server.baseUrl, smsParams("+4520304057", BREAKS_THE_TURN));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(twimlMessages(await res.text())).toEqual([APOLOGY]);
  });

  it("refuses a bad signature with 403 and runs no turn", async () => {
    const params = smsParams("+4520304051", "hej");
    const res = await postSms(server.baseUrl, params, { signature: "bm90IGEgc2lnbmF0dXJl" });
    expect(res.status).toBe(403);
    expect((await db()).inbound!.some((entry) => entry.sid === params.MessageSid)).toBe(false);
  });

  it("refuses a missing signature with 403", async () => {
    const res = await postSms(server.baseUrl, smsParams("+4520304052", "hej"), { sign: false });
    expect(res.status).toBe(403);
  });

  it("processes a redelivered MessageSid once", async () => {
    const params = smsParams("+4520304053", "noget helt andet");
    const [first, second] = await Promise.all([
      postSms(server.baseUrl, params),
      postSms(server.baseUrl, params),
    ]);
    const third = await postSms(server.baseUrl, params);
    const texts = [await first.text(), await second.text()];
    // The first gets the answer; a copy, while the first runs or after it, gets empty TwiML.
    expect(texts.map(twimlMessages).sort((a, b) => b.length - a.length)).toEqual([
      [WELCOME_SMS, HANDOFF],
      [],
    ]);
    expect(twimlMessages(await third.text())).toEqual([]);
    expect((await db()).inbox!.filter((item) => item.text === "noget helt andet")).toHaveLength(1);
  });

  it("answers a 1,600-character SMS politely and passes it on whole", async () => {
    const long = "Jeg har et langt spørgsmål. ".repeat(60).slice(0, 1600);
    const res = await postSms(server.baseUrl, smsParams("+4520304054", long));
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([WELCOME_SMS, HANDOFF]);
    expect((await db()).inbox!.some((item) => item.text === long.trim())).toBe(true);
  });

  it("answers an SMS of only emoji politely", async () => {
    const res = await postSms(server.baseUrl, smsParams("+4520304055", "🎉🎉"));
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([WELCOME_SMS, HANDOFF]);
  });

  it("answers a post without From with 400", async () => {
    const params = smsParams("+4520304056", "hej");
    delete (params as Partial<typeof params>).From;
    const res = await postSms(server.baseUrl, params);
    expect(res.status).toBe(400);
  });
});

describe("POST /api/sms/status (Twilio delivery status)", () => {
  const PROVIDER_SID = `SM${"5".repeat(32)}`;
  const sent: Array<{ to: string; body: string; statusCallback?: string }> = [];
  let twilioServer: Awaited<ReturnType<typeof startFlowServer>>;

  beforeAll(async () => {
    twilioServer = await startFlowServer({
      classify: BASIC_INTENTS,
      twilioApi: {
        create: async (params) => {
          sent.push(params);
          return { sid: PROVIDER_SID, status: "queued" };
        },
      },
    });
  });
  afterAll(() => twilioServer.server.cleanup());

  const status = (params: Record<string, string>) =>
    postSms(
      twilioServer.server.baseUrl,
      { AccountSid: `AC${"0".repeat(32)}`, ...params },
      { path: "/api/sms/status" },
    );

  it("records a delivery status callback against the message it is about", async () => {
    await twilioServer.api.importCsv("name,phone\nGitte Grøn,+4520304060\n");
    // On the real clock, which may be in the quiet hours.
    expect(await twilioServer.api.invite({ force: true })).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect(sent.map((message) => [message.to, message.statusCallback])).toEqual([
      ["+4520304060", `${TEST_PUBLIC_URL}/api/sms/status`],
    ]);
    const invitation = () =>
      twilioServer.db().then((data) => data.outbox.find((m) => m.providerId === PROVIDER_SID));
    expect(await invitation()).toMatchObject({ to: "+4520304060", purpose: "invitation", status: "sent" });

    const res = await status({ MessageSid: PROVIDER_SID, MessageStatus: "delivered" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await invitation()).toMatchObject({
      to: "+4520304060",
      purpose: "invitation",
      status: "delivered",
    });
  });

  it("answers a status callback for a message it never sent with 204 and changes nothing", async () => {
    const before = await twilioServer.db();
    const commits = twilioServer.server.app.store.commits;
    const res = await status({ MessageSid: `SM${"9".repeat(32)}`, MessageStatus: "delivered" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(twilioServer.server.app.store.commits).toBe(commits);
    expect((await twilioServer.db()).outbox).toEqual(before.outbox);
  });
});

describe("local chat page", () => {
  it("serves the page, its script and the Adaptive Cards renderer from this server", async () => {
    const page = await fetch(`${server.baseUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('lang="da"');
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\.[a-z]{2,}\/[^"']*\.(js|css)/i);
    expect((await fetch(`${server.baseUrl}/vendor/adaptivecards.js`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/web/chat.js`)).status).toBe(200);
  });

  it("runs a turn through the local endpoint", async () => {
    const res = await postJson(`${server.baseUrl}/api/local/messages`, { userId: "local-1", text: "hjælp" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      activities: Array<{ attachments?: Array<{ content: { body: Array<{ text: string }> } }> }>;
    };
    expect(body.activities.at(-1)!.attachments![0]!.content.body[0]!.text).toContain(
      "Hvornår er næste møde?",
    );
  });

  it("lets a newcomer play an invited member, so the invitation flow can be tried", async () => {
    const open = await postJson(`${server.baseUrl}/api/local/messages`, {
      userId: "local-demo",
      type: "conversationUpdate",
    });
    const { activities } = (await open.json()) as {
      activities: Array<{
        attachments: Array<{ content: { body: Array<{ text: string }>; actions: Array<{ title: string }> } }>;
      }>;
    };
    expect(activities).toHaveLength(2);
    const invitation = activities[1]!.attachments[0]!.content;
    expect(invitation.body[0]!.text).toMatch(
      /^Hej\. Eksempel Kommune inviterer dig til Borgersamlingen om klima og grøn omstilling\./,
    );
    expect(invitation.actions.map((action) => action.title)).toEqual(["Ja", "Nej", "Måske"]);
    expect((await db()).participants!.find((p) => p.invitation === "invited" && p.onList)).toBeDefined();
  });

  it("refuses a bad user id with 400", async () => {
    const res = await postJson(`${server.baseUrl}/api/local/messages`, { userId: "<script>", text: "hej" });
    expect(res.status).toBe(400);
  });
});
