import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOrganizerCli } from "../../bot/cli/organizer.js";
import { createOrganizerClient } from "../../bot/cli/organizerClient.js";
import { loadConfig } from "../../bot/config.js";
import { startFlowServer } from "../helpers/flowServer.js";
import { botActivity, postJson } from "../helpers/http.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { startTestServer } from "../helpers/testServer.js";

const NOW = new Date("2026-11-28T10:00:00Z");
let flow: Awaited<ReturnType<typeof startFlowServer>>;

beforeAll(async () => {
  flow = await startFlowServer({ now: NOW });
});
afterAll(() => flow.server.cleanup());

const ERASURE_QUESTION =
  "Vil du have, at vi sletter alle dine oplysninger? Så kan vi ikke længere skrive til dig om borgersamlingen. Svar JA for at slette eller NEJ for at beholde dem.";

/** The texts of the replies in an expectReplies response, from plain text or an Adaptive Card. */
async function replyTexts(res: Response): Promise<string[]> {
  const { activities } = (await res.json()) as {
    activities: Array<{ text?: string; attachments?: Array<{ content: { body: Array<{ text: string }> } }> }>;
  };
  return activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
  );
}

const teams = (aadObjectId: string, text: string) =>
  postJson(
    `${flow.server.baseUrl}/api/messages`,
    botActivity(text, {
      channelId: "msteams",
      from: { id: `29:${aadObjectId}`, aadObjectId },
      conversation: { id: `a:${aadObjectId}` },
    }),
  );

describe("answers that change the subject", () => {
  it("takes STOP as opt-out even while the bot waits for a yes to erasure", async () => {
    const phone = "+4531000001";
    expect((await flow.sms(phone, "slet mine oplysninger")).at(-1)).toBe(ERASURE_QUESTION);
    expect(await flow.sms(phone, "STOP")).toEqual([]);
    expect((await flow.db()).participants.find((p) => p.phone === phone)!.optedOut).toBe(true);
  });

  it("records an absence given in answer to the special-needs question", async () => {
    const phone = "+4531000002";
    await flow.api.importCsv(`name,phone\nUlla Ulv,${phone}\n`);
    await flow.sms(phone, "ja");
    expect(await flow.sms(phone, "jeg kan ikke d. 26. december")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer lørdag den 26. december kl. 10-16.",
    ]);
    const data = await flow.db();
    const ulla = data.participants.find((p) => p.phone === phone)!;
    expect(data.attendance).toContainEqual(
      expect.objectContaining({ participantId: ulla.id, sessionId: "m2", status: "absent" }),
    );
    expect(ulla.needs).toBeUndefined();
  });

  it("reads a named date from an invited member as one absence, not a no to the invitation", async () => {
    const phone = "+4531000007";
    await flow.api.importCsv(`name,phone\nXenia Xu,${phone}\n`);
    await flow.api.invite();
    expect(await flow.sms(phone, "jeg kan desværre ikke d. 26. december")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer lørdag den 26. december kl. 10-16.",
    ]);
    const xenia = (await flow.db()).participants.find((p) => p.phone === phone)!;
    expect(xenia.invitation).toBe("invited");
  });

  it("says so when START comes in chat from someone who never opted out", async () => {
    const res = await postJson(`${flow.server.baseUrl}/api/local/messages`, {
      userId: "start-user",
      text: "START",
    });
    const { activities } = (await res.json()) as { activities: Array<{ text?: string }> };
    expect(activities.at(-1)?.text).toBe("Du får allerede beskeder fra os om borgersamlingen.");
  });
});

describe("an opt-out or erasure that came before the list", () => {
  it("keeps a Teams user's STOP when the list later names them", async () => {
    const aad = "33333333-4444-5555-6666-777777777777";
    const stop = await teams(aad, "stop");
    expect(stop.status).toBe(200);
    expect(await replyTexts(stop)).toEqual([
      "Du får ikke flere beskeder fra os. Skriv START, hvis du fortryder.",
    ]);
    await flow.api.importCsv(`name,phone,teams_id\nVera Vang,+4531000004,${aad}\n`);
    const vera = (await flow.db()).participants.find((p) => p.name === "Vera Vang")!;
    expect(vera.optedOut).toBe(true);
    await flow.api.invite();
    expect(
      (await flow.db()).outbox.filter((m) => m.purpose === "invitation" && m.to === "+4531000004"),
    ).toEqual([]);
  });

  it("does not import again someone who asked to be erased", async () => {
    const phone = "+4531000005";
    await flow.api.importCsv(`name,phone\nWilly Winther,${phone}\n`);
    await flow.sms(phone, "slet mine oplysninger");
    await flow.sms(phone, "ja");
    const res = await flow.api.importCsv(`name,phone\nWilly Winther,${phone}\n`);
    expect(await res.json()).toEqual({
      imported: 0,
      updated: 0,
      rejected: [{ row: 2, reason: "this person asked to be erased and not contacted again" }],
    });
    const data = await flow.db();
    expect(JSON.stringify(data).includes(phone)).toBe(false);
    // Keyed: the plain hash of the number, which anyone could compute, is not what is kept.
    expect(data.suppressedPhones).not.toContain(createHash("sha256").update(phone).digest("hex"));
    expect(data.suppressedPhones).toHaveLength(1);
  });

  it("lets the CLI forget someone who only wrote in", async () => {
    const phone = "+4531000006";
    await flow.sms(phone, "hvor er møderne");
    const client = createOrganizerClient({ baseUrl: flow.server.baseUrl, token: TEST_ORGANIZER_TOKEN });
    const output: string[] = [];
    await runOrganizerCli(["forget", phone], client, (line) => output.push(line));
    expect(output).toEqual([`Deltageren med nummeret ${phone} er slettet.`]);
    expect((await flow.db()).participants.some((p) => p.phone === phone)).toBe(false);
  });
});

describe("who may use /api/messages", () => {
  it("refuses activities that claim to come from SMS or the local page", async () => {
    const res = await postJson(
      `${flow.server.baseUrl}/api/messages`,
      botActivity("indbakke", { channelId: "sms", from: { id: "+4520304050" } }),
    );
    expect(res.status).toBe(400);
  });

  it("is not there at all in an SMS-only deployment (Twilio without Azure)", async () => {
    const env = {
      TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "token",
      TWILIO_FROM: "+4570000000",
      PUBLIC_URL: "https://bot.example.dk",
    };
    expect(loadConfig(env).localMode).toBe(false);
    const smsOnly = await startTestServer({
      env,
      twilioApi: { create: async () => ({ sid: "SM1", status: "queued" }) },
    });
    try {
      expect((await postJson(`${smsOnly.baseUrl}/api/messages`, botActivity("hej"))).status).toBe(404);
      expect((await fetch(`${smsOnly.baseUrl}/`)).status).toBe(404);
    } finally {
      await smsOnly.cleanup();
    }
  });
});

describe("when Twilio fails", () => {
  it("keeps an organizer's answer open and sends no apology in its place", async () => {
    const calls: string[] = [];
    const failing = await startFlowServer({
      now: NOW,
      twilioApi: {
        create: async ({ body }) => {
          calls.push(body);
          throw Object.assign(new Error("Twilio is down"), { code: 30001 });
        },
      },
    });
    try {
      await failing.sms("+4531000008", "hvem vinder superligaen i år");
      const item = (await failing.api.inbox()).items[0]!;
      const res = await failing.api.reply(String(item.id), "Det ved vi ikke.");
      expect(res.status).toBe(502);
      expect(calls).toEqual(["Svar fra sekretariatet: Det ved vi ikke."]);
      expect((await failing.api.inbox()).items[0]).toMatchObject({ status: "open" });
      expect((await failing.db()).outbox.find((m) => m.purpose === "handoff-answer")).toMatchObject({
        status: "failed",
      });
    } finally {
      await failing.server.cleanup();
    }
  });
});

describe("erasure across conversations", () => {
  it("removes the dialog state of every Web Chat conversation a member had", async () => {
    const from = { id: "webchat-erase-me", name: "Yrsa" };
    for (const conversation of ["conv-old", "conv-new"]) {
      await postJson(
        `${flow.server.baseUrl}/api/messages`,
        botActivity("hej", { from, conversation: { id: conversation } }),
      );
    }
    await postJson(
      `${flow.server.baseUrl}/api/messages`,
      botActivity("slet mine oplysninger", { from, conversation: { id: "conv-new" } }),
    );
    await postJson(
      `${flow.server.baseUrl}/api/messages`,
      botActivity("ja", { from, conversation: { id: "conv-new" } }),
    );
    const text = JSON.stringify(await flow.db());
    expect(text).not.toContain("conv-old");
    expect(text).not.toContain("webchat-erase-me");
  });
});
