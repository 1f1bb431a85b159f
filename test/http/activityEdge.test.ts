import { readDataFile } from "../../bot/store/store.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAllowedServiceUrl } from "../../bot/http/botActivity.js";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { botActivity, postJson } from "../helpers/http.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

/*
 * What /api/messages accepts before botbuilder sees an activity: every input gets a 4xx or a
 * 200, never a 5xx, and nothing reaches the data file that would stop the next start.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ classify: BASIC_INTENTS });
});
afterAll(() => server.cleanup());

const db = async () => await readDataFile(server.dbFile);
const post = (overrides: Record<string, unknown>, text = "hej") =>
  postJson(`${server.baseUrl}/api/messages`, botActivity(text, overrides));
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

/** What a newcomer's "hej" is answered with; the apology after a failed turn is something else. */
const FIRST_HEJ = [
  "Hej og velkommen til Borgersamlingen om klima og grøn omstilling. Her kan du få svar på det praktiske, for eksempel hvornår og hvor vi mødes, mad og godtgørelse. Du kan også melde afbud her. Spørg bare løs.",
  "Hej. Hvad vil du gerne vide om borgersamlingen?",
];

/** The texts of the replies in an expectReplies response, from plain text or an Adaptive Card. */
async function replyTexts(res: Response): Promise<string[]> {
  const { activities } = (await res.json()) as {
    activities: Array<{ text?: string; attachments?: Array<{ content: { body: Array<{ text: string }> } }> }>;
  };
  return activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
  );
}

let newcomers = 0;
/** A member and conversation no earlier test has used, so the answer does not depend on test order. */
const newcomer = () => {
  newcomers++;
  return { from: { id: `edge-user-${newcomers}` }, conversation: { id: `edge-conv-${newcomers}` } };
};

describe("channel ids", () => {
  it("answers channelId WebChat as webchat, and the server starts again on the data file", async () => {
    const own = await startTestServer({ classify: BASIC_INTENTS });
    try {
      const res = await postJson(
        `${own.baseUrl}/api/messages`,
        botActivity("hej", { channelId: "WebChat", from: { id: "cap-user" }, conversation: { id: "cap" } }),
      );
      expect(res.status).toBe(200);
      expect(await replyTexts(res)).toEqual(FIRST_HEJ);
      const onDisk = await readDataFile(own.dbFile);
      expect(onDisk.identities.find((identity) => identity.key === "cap-user")?.channel).toBe("webchat");
      await own.close();
      const restarted = await startTestServer({ classify: BASIC_INTENTS, dataDir: own.dataDir });
      expect((await fetch(`${restarted.baseUrl}/healthz`)).status).toBe(200);
      await restarted.close();
    } finally {
      await own.cleanup();
    }
  });

  it.each(["web chat", "webchat!", "", "x".repeat(257)])(
    "refuses channelId %j with 400",
    async (channelId) => {
      const res = await post({ channelId, from: { id: "bad-channel-user" } });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatch(/^not a Bot Framework activity: channelId /);
      expect((await db()).identities.some((identity) => identity.key === "bad-channel-user")).toBe(false);
    },
  );

  it("refuses SMS, in any case, as a channel only its own endpoint may use", async () => {
    const res = await post({ channelId: "SMS" });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("channelId sms is not accepted on /api/messages");
  });
});

describe("user and conversation ids", () => {
  it("accepts ids of 256 characters", async () => {
    const res = await post({ from: { id: "u".repeat(256) }, conversation: { id: "c".repeat(256) } });
    expect(res.status).toBe(200);
    expect(await replyTexts(res)).toEqual(FIRST_HEJ);
  });

  it.each([
    ["from.id", { from: { id: "u".repeat(257) } }],
    ["conversation.id", { conversation: { id: "c".repeat(257) } }],
  ])("refuses a %s over 256 characters with 400", async (field, overrides) => {
    const res = await post(overrides);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain(`${field} Too big`);
  });

  it.each([
    ["a line break", "a\r\nb"],
    ["a space", "a b"],
    ["letters outside ASCII", "æøå"],
    ["a NUL", "a\u0000b"],
    ["a lone surrogate", "a\ud800b"],
  ])("refuses a conversation id with %s, which cannot go in a header, with 400", async (_case, id) => {
    const res = await post({ conversation: { id }, deliveryMode: undefined });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe(
      "not a Bot Framework activity: conversation.id must be printable ASCII without spaces",
    );
  });

  it("refuses an activity id that cannot be put in a URL with 400", async () => {
    const res = await post({ id: "act-\ud800", deliveryMode: undefined });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe(
      "not a Bot Framework activity: id must be printable ASCII without spaces",
    );
  });
});

describe("serviceUrl in local mode", () => {
  it.each(["http://127.0.0.1:1/", "http://127.5.6.7:1/", "http://localhost:1/", "http://[::1]:1/"])(
    "accepts the loopback address %s",
    async (serviceUrl) => {
      const res = await post({ serviceUrl, ...newcomer() });
      expect(res.status).toBe(200);
      expect(await replyTexts(res)).toEqual(FIRST_HEJ);
    },
  );

  it.each([
    "https://smba.trafficmanager.net/emea/",
    "http://10.0.0.1/",
    "http://127.0.0.1.example.dk/",
    "http://user:secret@127.0.0.1:1/",
    "http://127.0.0.1:1/%E0%A4%A",
    "http://127.0.0.1:99999/",
    "http://%zz/",
    "file:///etc/passwd",
    "not a url",
  ])("refuses %s with 400 before anything is sent", async (serviceUrl) => {
    const res = await post({ serviceUrl, deliveryMode: undefined });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe(
      "serviceUrl must be a loopback address (127.0.0.0/8, localhost, [::1]) in local mode",
    );
  });
});

describe("serviceUrl outside local mode", () => {
  let deployed: TestServer;
  beforeAll(async () => {
    deployed = await startTestServer({
      classify: BASIC_INTENTS,
      env: { MicrosoftAppId: "00000000-0000-0000-0000-000000000001", MicrosoftAppPassword: "secret" },
    });
  });
  afterAll(() => deployed.cleanup());

  it("refuses a loopback serviceUrl with 400", async () => {
    const res = await postJson(
      `${deployed.baseUrl}/api/messages`,
      botActivity("hej", { serviceUrl: "http://127.0.0.1:1/" }),
    );
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("serviceUrl must be a Bot Connector service address");
  });

  it("passes a Bot Connector serviceUrl on to authentication, which refuses a request without a token", async () => {
    const res = await postJson(
      `${deployed.baseUrl}/api/messages`,
      botActivity("hej", { serviceUrl: "https://smba.trafficmanager.net/emea/" }),
    );
    expect(res.status).toBe(401);
  });

  it.each([
    "https://smba.trafficmanager.net/emea/",
    "https://smba.infra.gcc.teams.microsoft.com/teams",
    "https://smba.infra.gov.teams.microsoft.us/teams",
    "https://smba.infra.dod.teams.microsoft.us/teams",
    "https://webchat.botframework.com/",
    "https://europe.webchat.botframework.com/",
    "https://directline.botframework.com/",
    "https://webchat.botframework.azure.us/",
    "https://webchat.botframework.azure.cn/",
  ])("counts %s as a Bot Connector address", (serviceUrl) => {
    expect(isAllowedServiceUrl(serviceUrl, false)).toBe(true);
  });

  it.each([
    "http://smba.trafficmanager.net/emea/",
    "https://smba.trafficmanager.net:8443/emea/",
    "https://evil.trafficmanager.net/",
    "https://botframework.com.evil.dk/",
    "https://evilbotframework.com/",
    "https://user@webchat.botframework.com/",
    "https://webchat.botframework.com/%zz",
    "http://127.0.0.1:3978/",
  ])("does not count %s as a Bot Connector address", (serviceUrl) => {
    expect(isAllowedServiceUrl(serviceUrl, false)).toBe(false);
  });
});

describe("invoke activities", () => {
  it("answers an invoke the bot does not handle with 200 and an empty invoke response", async () => {
    const res = await post({ type: "invoke", name: "task/fetch", deliveryMode: undefined }, "");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("returns a 200 invoke response among the replies with expectReplies", async () => {
    const res = await post({ type: "invoke", name: "composeExtension/query" }, "");
    expect(res.status).toBe(200);
    const { activities } = (await res.json()) as { activities: Array<{ type: string; value?: unknown }> };
    expect(activities).toEqual([expect.objectContaining({ type: "invokeResponse", value: { status: 200 } })]);
  });
});

describe("malformed URIs", () => {
  it.each(["/api/messages%", "/api/messages%E0%A4%A", "/api/%zz/messages"])(
    "answers POST %s with 404",
    async (path) => {
      const res = await postJson(`${server.baseUrl}${path}`, botActivity("hej"));
      expect(res.status).toBe(404);
    },
  );

  it("ignores a broken percent-encoding in the query string", async () => {
    const res = await postJson(`${server.baseUrl}/api/messages?x=%E0%A4%A`, botActivity("hej", newcomer()));
    expect(res.status).toBe(200);
    expect(await replyTexts(res)).toEqual(FIRST_HEJ);
  });
});
