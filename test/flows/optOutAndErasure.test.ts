import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { postJson } from "../helpers/http.js";
import { organizerApi } from "../helpers/organizerApi.js";
import { useFlowServer } from "../helpers/flowServer.js";

const NOW = new Date("2026-11-28T10:00:00Z");
const DORTE = "+4523334353";
const ERIK = "+4524344454";

const flow = useFlowServer({ now: NOW }, (started) =>
  started.api.importCsv(`name,phone\nDorte Dahl,${DORTE}\nErik Eriksen,${ERIK}\n`),
);
const { db, sms } = flow;

/** The snapshot and the store's log: an erased person must be in neither. */
async function everythingOnDisk(): Promise<string> {
  const dir = dirname(flow.server.dbFile);
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.startsWith(basename(flow.server.dbFile)))
    .map((entry) => entry.name);
  const texts = await Promise.all(files.map((name) => readFile(join(dir, name), "utf8")));
  return texts.join("\n");
}

const dorte = async () => (await db()).participants.find((p) => p.phone === DORTE)!;

describe("opt-out", () => {
  const optedOut = async (phone: string) =>
    (await db()).participants.find((p) => p.phone === phone)?.optedOut;

  // Twilio answers its own keywords on a long code and blocks the number; a reply of ours would be blocked.
  it.each(
    ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OPTOUT"].map((keyword, index) => [
      keyword,
      index,
    ]),
  )("records Twilio's opt-out word %s and leaves the reply to Twilio", async (keyword, index) => {
    const phone = `+452600000${index}`;
    expect(await sms(phone, keyword)).toEqual([]);
    expect(await optedOut(phone)).toBe(true);
  });

  it("records an opt-out Twilio matched by Advanced Opt-Out, whatever the word", async () => {
    const phone = "+4526000020";
    expect(await sms(phone, "STOPP", { OptOutType: "STOP" })).toEqual([]);
    expect(await optedOut(phone)).toBe(true);
  });

  it.each([
    ["AFMELD", "+4526000010"],
    ["frameld", "+4526000011"],
  ])("answers our own opt-out word %s with one confirmation", async (keyword, phone) => {
    expect(await sms(phone, keyword)).toEqual([
      "Du får ikke flere beskeder fra os. Skriv START, hvis du fortryder.",
    ]);
    expect(await optedOut(phone)).toBe(true);
    expect(await sms(phone, keyword)).toEqual([]);
  });

  it("sends nothing on any path to a member who opted out, until START", async () => {
    await sms(DORTE, "hvor er møderne");
    expect(await sms(DORTE, "STOP")).toEqual([]);
    expect((await dorte()).optedOut).toBe(true);

    const toDorte = async () => (await db()).outbox.filter((m) => m.to === DORTE).length;
    const afterStop = await toDorte();

    expect(await sms(DORTE, "hvornår er næste møde")).toEqual([]);
    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 1, remaining: 0 });
    expect(await toDorte()).toBe(afterStop);
    expect((await db()).outbox.filter((m) => m.to === DORTE && m.purpose === "invitation")).toEqual([]);

    await sms(ERIK, "kan jeg tage min hund med");
    flow.server.setNow(new Date(NOW.getTime() + 60_000));
    const erikQuestion = (await flow.api.inbox()).items.find(
      (item) => item.text === "kan jeg tage min hund med",
    )!;
    expect(erikQuestion).toBeDefined();

    expect(await sms(DORTE, "START")).toEqual([]);
    expect((await dorte()).optedOut).toBe(false);
  });

  it("does not send an organizer's answer to a member who opted out", async () => {
    await sms(DORTE, "må jeg have min hund med");
    await sms(DORTE, "STOP");
    const item = (await flow.api.inbox()).items.find((entry) => entry.text === "må jeg have min hund med")!;
    const res = await flow.api.reply(String(item.id), "Ja, hunde er velkomne.");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { item: { delivery: string } }).item.delivery).toBe("opted-out");
    expect((await db()).outbox.filter((m) => m.text.includes("hunde er velkomne"))).toEqual([]);
    await sms(DORTE, "START");
  });

  it("does not remind a member who opted out", async () => {
    await sms(ERIK, "ja");
    await sms(ERIK, "nej");
    await sms(DORTE, "ja");
    await sms(DORTE, "nej");
    await sms(DORTE, "stop");
    expect(await flow.api.remind("m1")).toEqual({ sent: 1, skipped: 1 });
    expect((await db()).outbox.filter((m) => m.purpose === "reminder").map((m) => m.to)).toEqual([ERIK]);
    await sms(DORTE, "start");
  });
});

describe("the organizer inbox", () => {
  it("answers a handed-off question on the member's own channel", async () => {
    expect(await sms(ERIK, "hvem vandt fodboldkampen i går")).toEqual([
      "Det ved jeg ikke. Jeg har sendt dit spørgsmål videre til sekretariatet, som svarer dig inden for en hverdag.",
    ]);
    const item = (await flow.api.inbox()).items.find(
      (entry) => entry.text === "hvem vandt fodboldkampen i går",
    )!;
    expect(item).toMatchObject({
      status: "open",
      channel: "sms",
      member: { name: "Erik Eriksen", phone: "+45******54" },
    });
    const res = await flow.api.reply(String(item.id), "Det ved vi desværre ikke.");
    expect(res.status).toBe(200);
    const sent = (await db()).outbox.at(-1)!;
    expect(sent).toMatchObject({
      to: ERIK,
      purpose: "handoff-answer",
      text: "Svar fra sekretariatet: Det ved vi desværre ikke.",
    });
    expect((await flow.api.reply(String(item.id), "igen")).status).toBe(409);
  });

  it("answers in the local chat, proactively, where the question came from", async () => {
    await postJson(`${flow.server.baseUrl}/api/local/messages`, {
      userId: "local-x",
      text: "hvem vandt fodboldkampen i går",
    });
    const item = (await flow.api.inbox()).items.find((entry) => entry.channel === "local")!;
    await flow.api.reply(String(item.id), "Kun udenfor.");
    const poll = (await (
      await fetch(`${flow.server.baseUrl}/api/local/messages?userId=local-x&after=0`)
    ).json()) as { activities: Array<{ text: string }> };
    expect(poll.activities.map((activity) => activity.text)).toEqual([
      "Svar fra sekretariatet: Kun udenfor.",
    ]);
  });

  it("refuses requests without the organizer token", async () => {
    expect(
      await organizerApi(flow.server.baseUrl, "wrong-token-wrong-token-xx")
        .inbox()
        .catch((e: Error) => e.message),
    ).toContain("401");
    expect((await fetch(`${flow.server.baseUrl}/api/organizer/inbox`)).status).toBe(401);
  });
});

describe("erasure", () => {
  it("erases a member who asks, after one confirmation, everywhere their data was", async () => {
    // Something of hers in the inbox, the history and the outbox, so erasing it has something to do.
    await sms(DORTE, "må jeg have min hund med");
    expect((await flow.api.inbox()).items.some((item) => item.text === "må jeg have min hund med")).toBe(
      true,
    );
    expect((await sms(DORTE, "slet mine oplysninger"))[0]).toContain(
      "Vil du have, at vi sletter alle dine oplysninger?",
    );
    expect(await sms(DORTE, "ja")).toEqual(["Dine oplysninger er nu slettet. Tak for din tid."]);
    const text = await everythingOnDisk();
    expect(text).not.toContain(DORTE);
    expect(text).not.toContain("Dorte");
    expect(text).not.toContain("må jeg have min hund med");
    const data = await db();
    expect(data.inbox.filter((item) => item.text === "[slettet]").length).toBeGreaterThan(0);
    expect(data.history.some((event) => event.change === "erased" && event.actor === "member")).toBe(true);
  });

  it("keeps what counts, anonymously, when an organizer erases someone", async () => {
    // Erik has said yes and sent word of one absence, so there is attendance of his to keep.
    await sms(ERIK, "ja");
    await sms(ERIK, "jeg kan ikke d. 26. december");
    const erik = (await flow.api.participants()).participants.find((p) => p.phone === ERIK)!;
    const attendanceBefore = (await db()).attendance.toArray();
    const before = attendanceBefore.length;
    // Other tests' members may have attendance too; only Erik's rows are this test's to check.
    const eriksRows = attendanceBefore.flatMap((entry, index) =>
      entry.participantId === erik.id ? [index] : [],
    );
    expect(eriksRows.length).toBeGreaterThan(0);
    expect((await flow.api.erase(String(erik.id))).status).toBe(200);
    const text = await everythingOnDisk();
    expect(text).not.toContain(ERIK);
    expect(text).not.toContain("Erik");
    const data = await db();
    expect(data.attendance).toHaveLength(before);
    expect(eriksRows.every((index) => data.attendance.at(index)!.participantId.startsWith("erased-"))).toBe(
      true,
    );
    expect(data.attendance.some((entry) => entry.participantId === erik.id)).toBe(false);
    expect((await flow.api.erase(String(erik.id))).status).toBe(404);
  });

  it("keeps the data when the member says no", async () => {
    await flow.api.importCsv(`name,phone\nFrida Fisk,+4525354555\n`);
    await sms("+4525354555", "slet alt om mig");
    expect(await sms("+4525354555", "nej")).toEqual(["Fint. Vi har ikke slettet noget."]);
    expect((await db()).participants.some((p) => p.name === "Frida Fisk")).toBe(true);
  });
});
