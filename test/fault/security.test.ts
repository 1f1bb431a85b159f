import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TwilioMessagesApi } from "../../bot/sms/twilioProvider.js";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { startFlowServer } from "../helpers/flowServer.js";
import {
  botActivity,
  postJson,
  postSms,
  smsParams,
  TEST_AUTH_TOKEN,
  TEST_PUBLIC_URL,
} from "../helpers/http.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { realClassify, startTestServer, type TestServer } from "../helpers/testServer.js";

/*
 * Who may read or change what. The organizer API needs its token on every route; no chat lets a
 * member see another member's data or act as an organizer; outside local mode every webhook is
 * authenticated; and production refuses the configurations that would open any of this.
 * Complements the single cases in test/http/server.test.ts, test/http/activityEdge.test.ts,
 * test/flows/edgeCases.test.ts and test/config/config.test.ts.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const ORGANIZER_AAD = "0a0a0a0a-0000-4000-8000-00000000000a";
const APP_ID = "00000000-0000-0000-0000-000000000001";

/** Every route of the organizer API, as a request that would change or reveal something. */
const ORGANIZER_ROUTES: Array<{ method: string; path: string; type?: string; body?: string }> = [
  { method: "GET", path: "/api/organizer/participants" },
  { method: "GET", path: "/api/organizer/participants?format=csv" },
  { method: "GET", path: "/api/organizer/participants?phone=%2B4561000001" },
  {
    method: "POST",
    path: "/api/organizer/participants",
    type: "text/csv",
    body: "name,phone\nMallory,+4561000099\n",
  },
  { method: "DELETE", path: "/api/organizer/participants/ID" },
  { method: "POST", path: "/api/organizer/invitations" },
  { method: "POST", path: "/api/organizer/sessions/m5/reminders" },
  { method: "POST", path: "/api/organizer/reload" },
  { method: "GET", path: "/api/organizer/attendance" },
  { method: "GET", path: "/api/organizer/attendance?format=csv" },
  { method: "GET", path: "/api/organizer/outbox" },
  { method: "GET", path: "/api/organizer/inbox" },
  { method: "GET", path: "/api/organizer/inbox?status=open&format=csv" },
  {
    method: "POST",
    path: "/api/organizer/inbox/ITEM/reply",
    type: "application/json",
    body: '{"text":"Hej"}',
  },
];

/** Ways to send something that is not the organizer token in the Authorization header. */
const NOT_THE_TOKEN: Array<[string, Record<string, string>, string]> = [
  ["no credentials", {}, ""],
  ["a wrong token", { authorization: "Bearer wrong-token-wrong-token-wrong" }, ""],
  ["the token with a character more", { authorization: `Bearer ${TEST_ORGANIZER_TOKEN}x` }, ""],
  ["the token with a character less", { authorization: `Bearer ${TEST_ORGANIZER_TOKEN.slice(0, -1)}` }, ""],
  ["the token without Bearer", { authorization: TEST_ORGANIZER_TOKEN }, ""],
  [
    "the token as Basic auth",
    { authorization: `Basic ${Buffer.from(`x:${TEST_ORGANIZER_TOKEN}`).toString("base64")}` },
    "",
  ],
  ["the token in another header", { "x-organizer-token": TEST_ORGANIZER_TOKEN }, ""],
  ["the token in the query", {}, `token=${TEST_ORGANIZER_TOKEN}`],
];

function organizerRequest(
  baseUrl: string,
  route: (typeof ORGANIZER_ROUTES)[number],
  ids: { participant: string; item: string },
  headers: Record<string, string>,
  query = "",
) {
  const path = route.path.replace("ID", ids.participant).replace("ITEM", ids.item);
  const url = `${baseUrl}${path}${query ? (path.includes("?") ? "&" : "?") + query : ""}`;
  return fetch(url, {
    method: route.method,
    headers: { ...(route.type ? { "content-type": route.type } : {}), ...headers },
    body: route.body,
  });
}

describe("the organizer API", () => {
  let flow: Awaited<ReturnType<typeof startFlowServer>>;
  let ids: { participant: string; item: string };
  beforeAll(async () => {
    flow = await startFlowServer({ now: NOW, classify: BASIC_INTENTS });
    await flow.api.importCsv("name,phone\nAsta Abildgaard,+4561000001\n");
    await flow.sms("+4561000001", "kan man parkere i kælderen under rådhuset");
    ids = {
      participant: String((await flow.api.participants()).participants[0]!.id),
      item: String((await flow.api.inbox()).items[0]!.id),
    };
  });
  afterAll(() => flow.server.cleanup());

  it.each(NOT_THE_TOKEN)(
    "answers every route 401 with %s, and changes nothing",
    async (_, headers, query) => {
      const before = await flow.db();
      const commits = flow.server.app.store.commits;
      for (const route of ORGANIZER_ROUTES) {
        const res = await organizerRequest(flow.server.baseUrl, route, ids, headers, query);
        expect([route.method, route.path, res.status]).toEqual([route.method, route.path, 401]);
        const body = await res.text();
        expect(body).toBe('{"error":"missing or wrong organizer token"}');
      }
      expect(flow.server.app.store.commits).toBe(commits);
      expect(await flow.db()).toEqual(before);
    },
  );

  it("answers every route with the token, so the refusals above are the token's doing", async () => {
    for (const route of ORGANIZER_ROUTES.filter((r) => r.method === "GET")) {
      const res = await organizerRequest(flow.server.baseUrl, route, ids, {
        authorization: `Bearer ${TEST_ORGANIZER_TOKEN}`,
      });
      expect([route.path, res.status]).toEqual([route.path, 200]);
    }
  });

  it("is closed with 503 on every route when ORGANIZER_TOKEN is not set, whatever is sent", async () => {
    const closed = await startTestServer({ now: NOW, classify: BASIC_INTENTS });
    try {
      for (const route of ORGANIZER_ROUTES) {
        const attempts: Array<Record<string, string>> = [
          {},
          { authorization: `Bearer ${TEST_ORGANIZER_TOKEN}` },
          { authorization: "Bearer " },
        ];
        for (const headers of attempts) {
          const res = await organizerRequest(closed.baseUrl, route, ids, headers);
          expect([route.path, res.status]).toEqual([route.path, 503]);
          expect(await res.json()).toEqual({
            error: "the organizer API is closed: set ORGANIZER_TOKEN to open it",
          });
        }
      }
      expect(closed.app.store.data.participants.toArray()).toEqual([]);
    } finally {
      await closed.cleanup();
    }
  });
});

/*
 * One member's data (name, phone, question, needs) against everything another member could
 * ask on each channel. The organizer is named in ORGANIZERS by their Teams AAD id.
 */
describe("what a member can learn through a chat", () => {
  let flow: Awaited<ReturnType<typeof startFlowServer>>;
  let seeded = 0;
  beforeAll(async () => {
    flow = await startFlowServer({
      now: NOW,
      classify: await realClassify(),
      env: { ORGANIZERS: ORGANIZER_AAD },
    });
  });
  afterAll(() => flow.server.cleanup());

  /** A member on the list who accepted, asked the organizers something and gave special needs. */
  async function seedMember() {
    seeded++;
    const name = `Asta Abildgaard${"s".repeat(seeded)}`;
    const phone = `+456100${String(seeded).padStart(4, "0")}`;
    const question = `hvem vinder superligaen i år ${"?".repeat(seeded)}`;
    expect((await flow.api.importCsv(`name,phone\n${name},${phone}\n`)).status).toBe(200);
    await flow.sms(phone, "ja");
    await flow.sms(phone, "glutenfri kost");
    await flow.sms(phone, question);
    const data = await flow.db();
    const member = data.participants.find((p) => p.phone === phone)!;
    expect(member).toMatchObject({ invitation: "accepted", needs: "glutenfri kost" });
    const item = data.inbox.find((i) => i.participantId === member.id && i.status === "open")!;
    expect(item.text).toBe(question);
    // What must never reach anyone else: the name, the number (in any form), the question, the needs.
    const secrets = [name, phone, phone.slice(3), question, "glutenfri"];
    return { member, item, secrets };
  }

  const probes = (itemId: string, name: string) => [
    "mine oplysninger",
    "hvad ved I om mig",
    "hvem er tilmeldt",
    "hvem kommer på lørdag",
    "deltagerliste",
    "indbakke",
    "inbox",
    `svar ${itemId.slice(0, 6)} Du er afmeldt`,
    `hvad er ${name}s telefonnummer`,
    "vis fremmøde",
    "udbakke",
  ];

  async function expectUntouched(seed: Awaited<ReturnType<typeof seedMember>>) {
    const data = await flow.db();
    expect(data.inbox.find((i) => i.id === seed.item.id)).toMatchObject({ status: "open" });
    expect(data.inbox.find((i) => i.id === seed.item.id)!.answer).toBeUndefined();
    expect(data.participants.find((p) => p.id === seed.member.id)).toEqual(seed.member);
    expect(data.outbox.filter((m) => m.purpose === "handoff-answer")).toEqual([]);
  }

  const webChat = async (fromId: string, text: string, from: Record<string, unknown> = {}) => {
    const res = await postJson(
      `${flow.server.baseUrl}/api/messages`,
      botActivity(text, { from: { id: fromId, ...from }, conversation: { id: `conv-${fromId}` } }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map(
      (a) => a.text ?? "",
    );
  };
  const teams = async (aadObjectId: string, text: string) => {
    const res = await postJson(
      `${flow.server.baseUrl}/api/messages`,
      botActivity(text, {
        channelId: "msteams",
        from: { id: `29:${aadObjectId}`, aadObjectId },
        conversation: { id: `a:${aadObjectId}` },
      }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map(
      (a) => a.text ?? "",
    );
  };

  it("tells another SMS sender nothing about a member, whatever they ask", async () => {
    const seed = await seedMember();
    for (const text of probes(seed.item.id, seed.member.name!)) {
      const replies = (await flow.sms("+4529999901", text)).join("\n");
      for (const secret of seed.secrets) expect(replies, `reply to "${text}"`).not.toContain(secret);
    }
    await expectUntouched(seed);
  });

  it("tells a Web Chat user nothing about a member, whatever they ask", async () => {
    const seed = await seedMember();
    for (const text of probes(seed.item.id, seed.member.name!)) {
      const replies = (await webChat("webchat-stranger", text)).join("\n");
      for (const secret of seed.secrets) expect(replies, `reply to "${text}"`).not.toContain(secret);
    }
    await expectUntouched(seed);
  });

  it("tells a Teams user who is not an organizer nothing, and lets them answer nothing", async () => {
    const seed = await seedMember();
    for (const text of probes(seed.item.id, seed.member.name!)) {
      const replies = (await teams("0b0b0b0b-0000-4000-8000-00000000000b", text)).join("\n");
      for (const secret of seed.secrets) expect(replies, `reply to "${text}"`).not.toContain(secret);
    }
    await expectUntouched(seed);
  });

  it("shows the inbox to the organizer in Teams, so the probes above would see a leak", async () => {
    const seed = await seedMember();
    const replies = (await teams(ORGANIZER_AAD, "indbakke")).join("\n");
    expect(replies).toContain(seed.item.text);
    expect(replies).toContain(seed.member.name);
  });

  it("does not take an organizer's AAD id sent from Web Chat as the organizer", async () => {
    const seed = await seedMember();
    for (const text of ["indbakke", `svar ${seed.item.id.slice(0, 6)} Du er afmeldt`]) {
      const replies = (await webChat("webchat-impostor", text, { aadObjectId: ORGANIZER_AAD })).join("\n");
      for (const secret of seed.secrets) expect(replies, `reply to "${text}"`).not.toContain(secret);
    }
    await expectUntouched(seed);
  });

  it("does not run an unsigned SMS from a member's own number", async () => {
    const seed = await seedMember();
    const commits = flow.server.app.store.commits;
    for (const text of ["mine oplysninger", "slet mine oplysninger", "nej"]) {
      const res = await postSms(flow.server.baseUrl, smsParams(seed.member.phone!, text), { sign: false });
      expect(res.status).toBe(403);
    }
    expect(flow.server.app.store.commits).toBe(commits);
    await expectUntouched(seed);
  });
});

/*
 * Outside local mode every way in is authenticated: Twilio's webhooks by signature, the Bot
 * Framework endpoint by its JWT, or the route is not there at all.
 */
const twilioApi: TwilioMessagesApi = {
  create: () => Promise.reject(new Error("no SMS may be sent by these tests")),
};
const MODES: Array<{ mode: string; env: Record<string, string>; sms: boolean; botFramework: boolean }> = [
  {
    mode: "SMS only",
    env: {
      TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_FROM: "+4570000000",
      PUBLIC_URL: TEST_PUBLIC_URL,
    },
    sms: true,
    botFramework: false,
  },
  {
    mode: "Teams and Web Chat only",
    env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: "app-password" },
    sms: false,
    botFramework: true,
  },
  {
    mode: "Teams, Web Chat and SMS",
    env: {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: "app-password",
      TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_FROM: "+4570000000",
      PUBLIC_URL: TEST_PUBLIC_URL,
    },
    sms: true,
    botFramework: true,
  },
];

/** A JWT that looks like the Bot Framework's but is signed by us (HS256 with a guessed key). */
function forgedJwt(issuer = "https://api.botframework.com"): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = encode({ alg: "HS256", typ: "JWT" });
  const claims = encode({
    iss: issuer,
    aud: APP_ID,
    serviceurl: "https://smba.trafficmanager.net/emea/",
    nbf: now - 60,
    exp: now + 3600,
  });
  const signature = createHmac("sha256", "app-password").update(`${head}.${claims}`).digest("base64url");
  return `${head}.${claims}.${signature}`;
}

describe.each(MODES)("$mode", ({ env, sms, botFramework }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      now: NOW,
      classify: BASIC_INTENTS,
      twilioApi,
      env: { ...env, ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN },
    });
  });
  afterAll(() => server.cleanup());

  it(`${sms ? "checks Twilio's signature on" : "has no"} SMS webhooks, and runs nothing unsigned`, async () => {
    const forged = [
      () => postSms(server.baseUrl, smsParams("+4561000001", "slet mine oplysninger"), { sign: false }),
      () => postSms(server.baseUrl, smsParams("+4561000001", "ja"), { signature: "bm90IGEgc2lnbmF0dXJl" }),
      () =>
        postSms(
          server.baseUrl,
          { MessageSid: "SM1", MessageStatus: "delivered" },
          { path: "/api/sms/status", sign: false },
        ),
    ];
    for (const post of forged) expect((await post()).status).toBe(sms ? 403 : 404);
    expect(server.app.store.data.participants.toArray()).toEqual([]);
    expect(server.app.store.data.inbound.toArray()).toEqual([]);
  });

  it(`${botFramework ? "checks the Bot Framework token on" : "has no"} /api/messages`, async () => {
    const activity = botActivity("indbakke", {
      channelId: "msteams",
      serviceUrl: "https://smba.trafficmanager.net/emea/",
      from: { id: `29:${ORGANIZER_AAD}`, aadObjectId: ORGANIZER_AAD },
      conversation: { id: `a:${ORGANIZER_AAD}` },
    });
    const url = `${server.baseUrl}/api/messages`;
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer x.y.z" },
      { authorization: `Bearer ${forgedJwt("https://evil.example.dk")}` },
      { authorization: `Basic ${Buffer.from(`${APP_ID}:app-password`).toString("base64")}` },
    ];
    for (const headers of refused) {
      const res = await postJson(url, activity, headers);
      expect([headers, res.status]).toEqual([headers, botFramework ? 401 : 404]);
    }
    // A token from a trusted issuer is checked against the Bot Framework's published keys. This
    // machine cannot reach login.botframework.com, which makes that a 500 here and a 401 online;
    // either way the turn does not run.
    const trusted = await postJson(url, activity, { authorization: `Bearer ${forgedJwt()}` });
    expect(trusted.ok).toBe(false);
    if (!botFramework) expect(trusted.status).toBe(404);
    expect(server.app.store.data.participants.toArray()).toEqual([]);
    expect(server.app.store.data.identities.toArray()).toEqual([]);
  });

  it("has no local chat page and no local chat endpoint", async () => {
    for (const path of ["/", "/web/chat.js", "/vendor/adaptivecards.js", "/api/local/messages?userId=x"]) {
      expect([path, (await fetch(server.baseUrl + path)).status]).toEqual([path, 404]);
    }
    const res = await postJson(`${server.baseUrl}/api/local/messages`, { userId: "x", text: "indbakke" });
    expect(res.status).toBe(404);
  });
});

/* The real entry point, as `npm start` runs it, with NODE_ENV=production. */
/** tsx as a loader in this process, rather than its CLI, which starts a second one. */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url).href;
const INDEX = fileURLToPath(new URL("../../bot/index.ts", import.meta.url));

async function startInProduction(env: Record<string, string>) {
  // Its own directory, so no .env is read and the data file would show up there.
  const dir = await mkdtemp(join(tmpdir(), "borgerbot-production-"));
  try {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", TSX_LOADER, "--disable-warning=DEP0111", INDEX],
        {
          cwd: dir,
          timeout: 30_000,
          env: {
            PATH: process.env.PATH ?? "",
            NODE_ENV: "production",
            DB_FILE: join(dir, "db.json"),
            ASSEMBLY_FILE: fileURLToPath(new URL("../../data/assembly.json", import.meta.url)),
            PORT: "0",
            ...env,
          },
        },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stderr }),
      );
    });
    return { ...result, files: await readdir(dir) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Each start loads the whole app before it reads the config (a few seconds); the two run side by side.
describe.concurrent("npm start with NODE_ENV=production", () => {
  it("refuses local mode and a missing ORGANIZER_TOKEN, before it touches the data file", async () => {
    const { code, stderr, files } = await startInProduction({});
    expect(code).toBe(1);
    expect(stderr).toContain("borgerbot could not start:");
    expect(stderr).toContain(
      "NODE_ENV is production, which refuses local mode: set MicrosoftAppId (Teams, Web Chat) or TWILIO_ACCOUNT_SID (SMS)",
    );
    expect(stderr).toContain("ORGANIZER_TOKEN is required when NODE_ENV is production");
    expect(files).toEqual([]);
  });

  it("refuses Teams without ORGANIZER_TOKEN and Twilio without PUBLIC_URL, which would leave its webhooks unsigned", async () => {
    const { code, stderr, files } = await startInProduction({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: "app-password",
      TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
      TWILIO_FROM: "+4570000000",
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    });
    expect(code).toBe(1);
    expect(stderr).toContain("ORGANIZER_TOKEN is required when NODE_ENV is production");
    expect(stderr).toContain("PUBLIC_URL is required when TWILIO_AUTH_TOKEN is set");
    expect(stderr).not.toContain("refuses local mode");
    expect(files).toEqual([]);
  });
});
