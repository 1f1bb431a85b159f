import { afterEach, describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../bot/store/schema.js";
import {
  startFakeTwilioApi,
  TWILIO_429,
  TWILIO_500,
  TWILIO_503,
  type FakeTwilioAnswer,
  type FakeTwilioApi,
} from "../helpers/fakeTwilioApi.js";
import { fakeClassify } from "../helpers/fakeClassify.js";
import { startFlowServer } from "../helpers/flowServer.js";
import { postSms, TEST_PUBLIC_URL } from "../helpers/http.js";

/**
 * Sends through a fake of Twilio's REST API on loopback, reached by the real twilio client, and
 * delivery status callbacks in every order Twilio may send them. Each test has its own server.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start() {
  const twilio = await startFakeTwilioApi();
  const flow = await startFlowServer({
    now: NOW,
    classify: fakeClassify({ ja: "rsvp.yes" }),
    twilioApi: twilio.api,
  });
  cleanups.push(twilio.close, flow.server.cleanup);
  const status = (sid: string, messageStatus: string, extra: Record<string, string> = {}) =>
    postSms(
      flow.server.baseUrl,
      { MessageSid: sid, MessageStatus: messageStatus, AccountSid: `AC${"1".repeat(32)}`, ...extra },
      { path: "/api/sms/status" },
    );
  return { twilio, flow, status };
}

/** The outbox on disk, as the next start sees it, without the fields that differ by run. */
const rowsOnDisk = async (flow: Awaited<ReturnType<typeof startFlowServer>>) =>
  (await flow.db()).outbox.map(({ to, purpose, status, providerId, error, attempts }: OutboxMessage) => ({
    to,
    purpose,
    status,
    ...(providerId ? { providerId } : {}),
    ...(error ? { error } : {}),
    ...(attempts ? { attempts } : {}),
  }));

const byPhone = (a: { to: string }, b: { to: string }) => a.to.localeCompare(b.to);

/** One SMS that went out through the fake, its row on disk, and the sid Twilio gave it. */
async function oneSentMessage(started: {
  twilio: FakeTwilioApi;
  flow: Awaited<ReturnType<typeof startFlowServer>>;
}) {
  const phone = "+4540000001";
  expect((await started.flow.api.importCsv(`name,phone\nAnne And,${phone}\n`)).status).toBe(200);
  expect(await started.flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
  const [row] = (await started.flow.db()).outbox;
  expect(row).toMatchObject({ status: "sent", providerId: `SM${"1".padStart(32, "0")}` });
  return { phone, sid: row!.providerId!, id: row!.id };
}

const sid = (n: number) => `SM${String(n).padStart(32, "0")}`;

/** Twilio's answers for recipients no retry helps, as its REST API sends them (HTTP 400). */
const TWILIO_21211: FakeTwilioAnswer = { status: 400, code: 21211, message: "Invalid 'To' Phone Number" };
const TWILIO_21610: FakeTwilioAnswer = {
  status: 400,
  code: 21610,
  message: "Attempt to send to unsubscribed recipient",
};
const TWILIO_21614: FakeTwilioAnswer = {
  status: 400,
  code: 21614,
  message: "'To' number is not a valid mobile number",
};

describe("Twilio errors on sends", () => {
  it("retries invitations Twilio answered 500, 503 or 429 and sends all of them in the same call, one row each", async () => {
    const { twilio, flow } = await start();
    const phones = ["+4540000001", "+4540000002", "+4540000003", "+4540000004"];
    const csv = `name,phone\n${phones.map((phone, i) => `Person ${i},${phone}`).join("\n")}\n`;
    expect((await flow.api.importCsv(csv)).status).toBe(200);
    twilio.answerNext(TWILIO_500, TWILIO_503, TWILIO_429);

    expect(await flow.api.invite()).toEqual({ sent: 4, skipped: 0, remaining: 0 });
    // Sent in parallel: which number got which error is up to the order of the requests.
    const rows = (await rowsOnDisk(flow)).sort(byPhone);
    expect(rows.map((row) => row.to)).toEqual(phones);
    expect(rows.map(({ purpose, status, error }) => ({ purpose, status, error }))).toEqual(
      phones.map(() => ({ purpose: "invitation", status: "sent", error: undefined })),
    );
    expect(rows.map((row) => row.attempts).sort()).toEqual([1, 2, 2, 2]);
    expect(rows.map((row) => row.providerId).sort()).toEqual([sid(1), sid(2), sid(3), sid(4)]);
    // Three refused requests, each tried once more.
    expect(twilio.requests).toHaveLength(7);
    // Each number was asked for as often as its row counts.
    expect(twilio.requests.map((r) => r.to).sort()).toEqual(
      rows.flatMap((row) => Array.from({ length: row.attempts! }, () => row.to)).sort(),
    );
    expect(twilio.requests.every((r) => r.statusCallback === `${TEST_PUBLIC_URL}/api/sms/status`)).toBe(true);
    expect((await flow.db()).participants.every((p) => p.invitation === "invited")).toBe(true);

    // The next call has nothing left to send.
    expect(await flow.api.invite()).toEqual({ sent: 0, skipped: 4, remaining: 0 });
    expect(twilio.requests).toHaveLength(7);
    expect(await rowsOnDisk(flow)).toHaveLength(4);
  });

  it("keeps an invitation failed with Twilio's error after four 503s, and sends it on the next call", async () => {
    const { twilio, flow } = await start();
    const phone = "+4540000005";
    expect((await flow.api.importCsv(`name,phone\nAske Ask,${phone}\n`)).status).toBe(200);
    twilio.answerNext(TWILIO_503, TWILIO_503, TWILIO_503, TWILIO_503);

    expect(await flow.api.invite()).toEqual({ sent: 0, skipped: 0, remaining: 1 });
    expect(await rowsOnDisk(flow)).toEqual([
      {
        to: phone,
        purpose: "invitation",
        status: "failed",
        error: "20503: Service Unavailable",
        attempts: 4,
      },
    ]);
    expect(twilio.requests.map((r) => r.to)).toEqual([phone, phone, phone, phone]);
    expect((await flow.db()).participants.at(0)).toMatchObject({ invitation: "none", optedOut: false });

    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect((await rowsOnDisk(flow)).at(1)).toEqual({
      to: phone,
      purpose: "invitation",
      status: "sent",
      providerId: sid(1),
      attempts: 1,
    });
    expect(twilio.requests).toHaveLength(5);
    expect((await flow.db()).participants.at(0)).toMatchObject({ invitation: "invited" });
  });

  it("sends on the third attempt after two 429s, in one outbox row, and does not mark the member opted out", async () => {
    const { twilio, flow } = await start();
    expect((await flow.api.importCsv("name,phone\nBo Bæk,+4540000009\n")).status).toBe(200);
    twilio.answerNext(TWILIO_429, TWILIO_429);
    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect(await rowsOnDisk(flow)).toEqual([
      { to: "+4540000009", purpose: "invitation", status: "sent", providerId: sid(1), attempts: 3 },
    ]);
    expect(twilio.requests).toHaveLength(3);
    const [bo] = (await flow.db()).participants;
    expect(bo).toMatchObject({ optedOut: false, invitation: "invited" });
    expect(await flow.api.invite()).toEqual({ sent: 0, skipped: 1, remaining: 0 });
    expect(twilio.requests).toHaveLength(3);
  });

  it("does not retry 21211, 21610 or 21614, and 21610 alone marks the member opted out", async () => {
    const { twilio, flow } = await start();
    const phones = ["+4540000031", "+4540000032", "+4540000033"];
    const csv = `name,phone\n${phones.map((phone, i) => `Person ${i},${phone}`).join("\n")}\n`;
    expect((await flow.api.importCsv(csv)).status).toBe(200);
    twilio.answerNext(TWILIO_21211, TWILIO_21610, TWILIO_21614);

    expect(await flow.api.invite()).toEqual({ sent: 0, skipped: 1, remaining: 2 });
    expect(twilio.requests).toHaveLength(3);
    expect(twilio.requests.map((r) => r.to).sort()).toEqual(phones);
    const rows = (await rowsOnDisk(flow)).sort(byPhone);
    expect(rows.map((row) => row.to)).toEqual(phones);
    expect(rows.map(({ to: _to, ...row }) => row).sort((a, b) => a.error!.localeCompare(b.error!))).toEqual([
      { purpose: "invitation", status: "failed", error: "21211: Invalid 'To' Phone Number", attempts: 1 },
      {
        purpose: "invitation",
        status: "failed",
        error: "21610: Attempt to send to unsubscribed recipient",
        attempts: 1,
      },
      {
        purpose: "invitation",
        status: "failed",
        error: "21614: 'To' number is not a valid mobile number",
        attempts: 1,
      },
    ]);
    const unsubscribed = rows.find((row) => row.error!.startsWith("21610"))!.to;
    const participants = (await flow.db()).participants;
    expect(participants.map((p) => [p.phone, p.optedOut]).sort()).toEqual(
      phones.map((phone) => [phone, phone === unsubscribed]),
    );
  });
});

describe("delivery status callbacks", () => {
  it("moves a message forward from sent to delivered and ignores a late sent", async () => {
    const started = await start();
    const { sid } = await oneSentMessage(started);
    const { flow, status } = started;
    flow.server.setNow(later(1));
    expect((await status(sid, "sent")).status).toBe(204);
    flow.server.setNow(later(2));
    expect((await status(sid, "delivered")).status).toBe(204);
    flow.server.setNow(later(3));
    expect((await status(sid, "sent")).status).toBe(204);
    const [row] = (await flow.db()).outbox;
    expect(row).toMatchObject({ status: "delivered", providerId: sid, updatedAt: later(2).toISOString() });
    expect(row!.error).toBeUndefined();
  });

  it("takes delivered before sent, as Twilio may send them, and stays delivered", async () => {
    const started = await start();
    const { sid } = await oneSentMessage(started);
    const { flow, status } = started;
    flow.server.setNow(later(1));
    expect((await status(sid, "delivered")).status).toBe(204);
    flow.server.setNow(later(2));
    expect((await status(sid, "queued")).status).toBe(204);
    expect((await status(sid, "sending")).status).toBe(204);
    expect((await status(sid, "sent")).status).toBe(204);
    expect((await flow.db()).outbox.at(0)).toMatchObject({
      status: "delivered",
      updatedAt: later(1).toISOString(),
    });
  });

  it("writes nothing for a duplicate callback", async () => {
    const started = await start();
    const { sid } = await oneSentMessage(started);
    const { flow, status } = started;
    flow.server.setNow(later(1));
    expect((await status(sid, "delivered")).status).toBe(204);
    const commits = flow.server.app.store.commits;
    flow.server.setNow(later(2));
    expect((await status(sid, "delivered")).status).toBe(204);
    expect((await status(sid, "delivered")).status).toBe(204);
    expect(flow.server.app.store.commits).toBe(commits);
    expect((await flow.db()).outbox.at(0)).toMatchObject({
      status: "delivered",
      updatedAt: later(1).toISOString(),
    });
  });

  it("keeps failed and undelivered final, with Twilio's error code", async () => {
    const started = await start();
    const { flow, status, twilio } = started;
    const phones = ["+4540000011", "+4540000012"];
    await flow.api.importCsv(`name,phone\nCarl,${phones[0]}\nDitte,${phones[1]}\n`);
    expect(await flow.api.invite()).toEqual({ sent: 2, skipped: 0, remaining: 0 });
    expect(twilio.requests).toHaveLength(2);
    const sidOf = async (phone: string) => (await flow.db()).outbox.find((m) => m.to === phone)!.providerId!;
    const failedSid = await sidOf(phones[0]!);
    const undeliveredSid = await sidOf(phones[1]!);

    flow.server.setNow(later(1));
    expect((await status(failedSid, "failed", { ErrorCode: "30006" })).status).toBe(204);
    expect((await status(undeliveredSid, "undelivered", { ErrorCode: "30003" })).status).toBe(204);
    flow.server.setNow(later(2));
    expect((await status(failedSid, "delivered")).status).toBe(204);
    expect((await status(failedSid, "sent")).status).toBe(204);
    expect((await status(undeliveredSid, "delivered")).status).toBe(204);
    expect((await status(undeliveredSid, "failed", { ErrorCode: "30008" })).status).toBe(204);

    const rows = (await flow.db()).outbox;
    expect(rows.find((m) => m.providerId === failedSid)).toMatchObject({
      status: "failed",
      error: "Twilio 30006",
      updatedAt: later(1).toISOString(),
    });
    expect(rows.find((m) => m.providerId === undeliveredSid)).toMatchObject({
      status: "undelivered",
      error: "Twilio 30003",
      updatedAt: later(1).toISOString(),
    });
  });

  it("keeps a callback that arrives before Twilio's answer to the send, and applies it to the message", async () => {
    const { twilio, flow, status } = await start();
    const codes: number[] = [];
    // Twilio may call back before the answer to our request has reached us.
    twilio.onAccepted(async (sid) => {
      codes.push((await status(sid, "sent")).status);
      codes.push((await status(sid, "delivered")).status);
    });
    await flow.api.importCsv("name,phone\nEva Ege,+4540000021\n");
    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect(codes).toEqual([204, 204]);
    expect(await rowsOnDisk(flow)).toEqual([
      {
        to: "+4540000021",
        purpose: "invitation",
        status: "delivered",
        providerId: `SM${"1".padStart(32, "0")}`,
        attempts: 1,
      },
    ]);
  });

  it("marks the member opted out when a callback carries Twilio's 21610", async () => {
    const started = await start();
    const { phone, sid } = await oneSentMessage(started);
    const { flow, status } = started;
    expect((await status(sid, "undelivered", { ErrorCode: "21610" })).status).toBe(204);
    const data = await flow.db();
    expect(data.outbox.at(0)).toMatchObject({ status: "undelivered", error: "Twilio 21610" });
    expect(data.participants.find((p) => p.phone === phone)!.optedOut).toBe(true);
  });

  it("refuses an unsigned callback with 403 and changes nothing", async () => {
    const started = await start();
    const { sid } = await oneSentMessage(started);
    const res = await postSms(
      started.flow.server.baseUrl,
      { MessageSid: sid, MessageStatus: "failed", AccountSid: `AC${"1".repeat(32)}` },
      { path: "/api/sms/status", sign: false },
    );
    expect(res.status).toBe(403);
    expect((await started.flow.db()).outbox.at(0)).toMatchObject({ status: "sent" });
  });
});

describe("a send that races an erasure", () => {
  it("sends nothing to a member erased while invitations are going out", async () => {
    const { twilio, flow } = await start();
    const phones = Array.from({ length: 11 }, (_, i) => `+45400001${String(i).padStart(2, "0")}`);
    const csv = `name,phone\n${phones.map((phone, i) => `Person ${i},${phone}`).join("\n")}\n`;
    expect((await flow.api.importCsv(csv)).status).toBe(200);
    const last = (await flow.api.participants()).participants.find((p) => p.phone === phones[10])!;
    // Invitations go out ten at a time; the eleventh person is erased while the first ten are sent.
    twilio.onAccepted(async () => {
      twilio.onAccepted(undefined);
      expect((await flow.api.erase(String(last.id))).status).toBe(200);
    });
    expect(await flow.api.invite()).toEqual({ sent: 10, skipped: 1, remaining: 0 });
    expect(twilio.requests.map((r) => r.to).sort()).toEqual(phones.slice(0, 10));
    const data = await flow.db();
    expect(data.outbox.map((m) => m.to).sort()).toEqual(phones.slice(0, 10));
    expect(data.participants.map((p) => p.phone).sort()).toEqual(phones.slice(0, 10));
  });
});

describe("an erasure while Twilio takes the message", () => {
  it("answers the invitation call, and keeps no trace of the member", async () => {
    const { twilio, flow } = await start();
    const phone = "+4540000201";
    expect((await flow.api.importCsv(`name,phone\nFrida Fisk,${phone}\n`)).status).toBe(200);
    const [frida] = (await flow.api.participants()).participants;
    twilio.onAccepted(async () => {
      twilio.onAccepted(undefined);
      expect((await flow.api.erase(String(frida!.id))).status).toBe(200);
    });
    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    const data = await flow.db();
    expect(data.participants.toArray()).toEqual([]);
    expect(data.outbox.map(({ to, text, status }) => ({ to, text, status }))).toEqual([
      { to: "[slettet]", text: "[slettet]", status: "sent" },
    ]);
    expect(JSON.stringify(data)).not.toContain(phone.slice(3));
  });
});

describe("an erasure while Twilio takes a reminder", () => {
  it("answers the reminder call, and keeps no trace of the member", async () => {
    const { twilio, flow } = await start();
    const phone = "+4540000301";
    expect((await flow.api.importCsv(`name,phone\nGorm Gran,${phone}\n`)).status).toBe(200);
    expect((await flow.sms(phone, "ja"))[0]).toMatch(/^Tak/);
    const [gorm] = (await flow.api.participants()).participants;
    expect(gorm).toMatchObject({ invitation: "accepted" });
    twilio.onAccepted(async () => {
      twilio.onAccepted(undefined);
      expect((await flow.api.erase(String(gorm!.id))).status).toBe(200);
    });
    const session = flow.server.app.assembly.sessions[0]!.id;
    expect(await flow.api.remind(session)).toEqual({ sent: 1, skipped: 0 });
    const data = await flow.db();
    expect(data.participants.toArray()).toEqual([]);
    expect(
      data.outbox.filter((m) => m.purpose === "reminder").map(({ to, status }) => ({ to, status })),
    ).toEqual([{ to: "[slettet]", status: "sent" }]);
  });
});
