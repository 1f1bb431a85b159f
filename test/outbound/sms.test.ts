import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eraseParticipant } from "../../bot/domain/erasure.js";
import { ensureParticipant } from "../../bot/domain/participants.js";
import { createLogger } from "../../bot/logger.js";
import type { Outbound, SendResult } from "../../bot/outbound/outbound.js";
import { createTwilioTransport, type SmsRetryOptions } from "../../bot/sms/smsTransport.js";
import type { TwilioMessagesApi } from "../../bot/sms/twilioProvider.js";
import type { Store } from "../../bot/store/store.js";
import { createTestOutbound } from "../helpers/outbound.js";
import { openTempStore } from "../helpers/tempStore.js";

const now = () => new Date("2026-11-28T10:00:00Z");
const logger = createLogger({ level: "silent" });
let store: Store;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await openTempStore(now));
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await cleanup();
});

/** How the fake answers one call: accepted, or an error shaped as the twilio client throws it. */
type Answer = "ok" | { code?: number; status?: number; message: string };

const TOO_MANY: Answer = { status: 429, code: 20429, message: "Too Many Requests" };
const UNAVAILABLE: Answer = { status: 503, code: 20503, message: "Service Unavailable" };
const INVALID_NUMBER: Answer = { status: 400, code: 21211, message: "Invalid 'To' Phone Number" };
const UNSUBSCRIBED: Answer = {
  status: 400,
  code: 21610,
  message: "Attempt to send to unsubscribed recipient",
};
const NOT_MOBILE: Answer = { status: 400, code: 21614, message: "'To' number is not a valid mobile number" };

/**
 * A fake of Twilio's messages API: answers `answers` in order, then accepts every call. Records
 * each call's parameters and the (possibly fake) time it was made; `during` runs inside a call.
 */
function fakeTwilio(...answers: Answer[]) {
  const calls: Array<Parameters<TwilioMessagesApi["create"]>[0]> = [];
  const callTimes: number[] = [];
  let accepted = 0;
  let during: ((call: number) => Promise<void>) | undefined;
  const api: TwilioMessagesApi = {
    async create(params) {
      calls.push(params);
      callTimes.push(Date.now());
      await during?.(calls.length);
      const answer = answers.shift() ?? "ok";
      if (answer !== "ok") {
        const { message, ...fields } = answer;
        throw Object.assign(new Error(message), fields);
      }
      accepted++;
      return { sid: `SM${accepted}`, status: "queued" };
    },
  };
  return { api, calls, callTimes, onCall: (hook: typeof during) => void (during = hook) };
}

/** Retries at once unless a test asks for real waits, and no rate limit unless it asks for one. */
function twilioSender(
  api: TwilioMessagesApi,
  options: { ratePerSecond?: number; retry?: Partial<SmsRetryOptions> } = {},
): Outbound {
  return createTestOutbound({
    store,
    clock: now,
    sms: createTwilioTransport(
      {
        api,
        from: "+4570000000",
        statusCallbackUrl: "https://bot.example.dk/api/sms/status",
        ratePerSecond: options.ratePerSecond ?? Number.POSITIVE_INFINITY,
        retry: options.retry ?? { minTimeout: 0 },
      },
      logger,
    ),
  });
}

const PAYLOAD = {
  to: "+4520304050",
  body: "Hej",
  from: "+4570000000",
  messagingServiceSid: undefined,
  statusCallback: "https://bot.example.dk/api/sms/status",
};

/** The one outbox row a send to +4520304050 leaves, with what differs per test. */
const row = (fields: Record<string, unknown>) => ({
  id: expect.any(String),
  channel: "sms",
  to: "+4520304050",
  purpose: "reminder",
  text: "Hej",
  createdAt: now().toISOString(),
  updatedAt: now().toISOString(),
  ...fields,
});

/**
 * Runs `work` on fake setTimeout and Date (bottleneck's spacing and p-retry's waits), moving
 * fake time only to the next timer and only when one is due, while the store's real file
 * writes go on between. So the calls' fake times are exactly when the limiter and the backoff
 * let them go, and no test waits for real.
 */
async function inFakeTime<T>(work: () => Promise<T>): Promise<T> {
  let settled = false;
  const running = work().finally(() => (settled = true));
  for (let step = 0; !settled && step < 100_000; step++) {
    if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return running;
}

const T0 = new Date("2026-11-28T10:00:00Z").getTime();
const useFakeTime = () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
};

async function addMember(phone: string, optedOut = false) {
  await store.update((data) => {
    const { participant } = ensureParticipant(data, { channel: "sms", key: phone }, now());
    participant.optedOut = optedOut;
  });
}

describe("sendSms", () => {
  it("sends through Twilio with the exact payload and records the sid in the outbox", async () => {
    const twilio = fakeTwilio();
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej – vi ses",
      purpose: "reminder",
    });
    expect(twilio.calls).toEqual([
      {
        to: "+4520304050",
        body: "Hej - vi ses",
        from: "+4570000000",
        messagingServiceSid: undefined,
        statusCallback: "https://bot.example.dk/api/sms/status",
      },
    ]);
    expect(result).toEqual({
      status: "sent",
      channel: "sms",
      outboxId: expect.any(String),
      providerId: "SM1",
    });
    expect(store.data.outbox).toEqual([
      expect.objectContaining({
        to: "+4520304050",
        purpose: "reminder",
        status: "sent",
        providerId: "SM1",
        text: "Hej - vi ses",
      }),
    ]);
  });

  it("puts the message in the dry-run outbox and calls no provider when Twilio is not configured", async () => {
    const sender = createTestOutbound({ store, clock: now });
    const result = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "invitation" });
    expect(sender.smsDryRun).toBe(true);
    expect(result.status).toBe("dry-run");
    expect(store.data.outbox.at(0)).toMatchObject({ status: "dry-run", text: "Hej" });
  });

  it("does not send to a number that opted out, and says so in the outbox", async () => {
    await addMember("+4520304050", true);
    const twilio = fakeTwilio();
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(twilio.calls).toEqual([]);
    expect(result).toMatchObject({ status: "blocked", reason: "opted-out" });
    expect(store.data.outbox.at(0)).toMatchObject({ status: "blocked", error: "opted out" });
  });

  it("does not retry 21610, marks the number opted out, and sends it nothing more", async () => {
    await addMember("+4520304050");
    const participantId = store.data.participants.at(0)!.id;
    const twilio = fakeTwilio(UNSUBSCRIBED, TOO_MANY);
    const sender = twilioSender(twilio.api);
    const first = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    const second = await sender.sendSms({ to: "+4520304050", body: "Hej igen", purpose: "reminder" });
    expect(first).toEqual({
      status: "failed",
      outboxId: expect.any(String),
      error: "Attempt to send to unsubscribed recipient",
    });
    expect(second).toEqual({ status: "blocked", outboxId: expect.any(String), reason: "opted-out" });
    expect(twilio.calls).toEqual([PAYLOAD]);
    expect(store.data.outbox.toArray()).toEqual([
      row({
        participantId,
        status: "failed",
        error: "21610: Attempt to send to unsubscribed recipient",
        attempts: 1,
      }),
      row({ participantId, text: "Hej igen", status: "blocked", error: "opted out" }),
    ]);
    expect(store.data.participants.at(0)!.optedOut).toBe(true);
    expect(store.data.history.at(-1)).toMatchObject({
      participantId,
      change: "opted-out",
      actor: "system",
      detail: { source: "twilio-21610" },
    });
  });

  it("does not retry 21211 or 21614, and keeps each failed with Twilio's error after one attempt", async () => {
    await addMember("+4520304050");
    const twilio = fakeTwilio(INVALID_NUMBER, NOT_MOBILE);
    const sender = twilioSender(twilio.api);
    const invalid = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    const landline = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    expect(invalid).toEqual({
      status: "failed",
      outboxId: expect.any(String),
      error: "Invalid 'To' Phone Number",
    });
    expect(landline).toEqual({
      status: "failed",
      outboxId: expect.any(String),
      error: "'To' number is not a valid mobile number",
    });
    expect(twilio.calls).toEqual([PAYLOAD, PAYLOAD]);
    const participantId = store.data.participants.at(0)!.id;
    expect(store.data.outbox.toArray()).toEqual([
      row({ participantId, status: "failed", error: "21211: Invalid 'To' Phone Number", attempts: 1 }),
      row({
        participantId,
        status: "failed",
        error: "21614: 'To' number is not a valid mobile number",
        attempts: 1,
      }),
    ]);
    // Neither says the member asked to hear nothing more.
    expect(store.data.participants.at(0)!.optedOut).toBe(false);
  });
});

describe("retries", () => {
  it("sends on the third attempt after Twilio answers 429 twice, in one outbox row counting 3 attempts", async () => {
    const twilio = fakeTwilio(TOO_MANY, TOO_MANY);
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(result).toEqual({
      status: "sent",
      channel: "sms",
      outboxId: expect.any(String),
      providerId: "SM1",
    });
    expect(twilio.calls).toEqual([PAYLOAD, PAYLOAD, PAYLOAD]);
    // The 429s' error is gone: the message got through.
    expect(store.data.outbox.toArray()).toEqual([row({ status: "sent", providerId: "SM1", attempts: 3 })]);
    expect(result).toMatchObject({ outboxId: store.data.outbox.at(0)!.id });
  });

  it("has the attempt and the last error on disk before each retry leaves", async () => {
    const twilio = fakeTwilio(TOO_MANY, UNAVAILABLE);
    const seen: unknown[] = [];
    twilio.onCall(async () => {
      const [onDisk] = store.data.outbox;
      seen.push({ status: onDisk!.status, attempts: onDisk!.attempts, error: onDisk!.error });
    });
    await twilioSender(twilio.api).sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    expect(seen).toEqual([
      { status: "queued", attempts: 1, error: undefined },
      { status: "queued", attempts: 2, error: "20429: Too Many Requests" },
      { status: "queued", attempts: 3, error: "20503: Service Unavailable" },
    ]);
    expect(store.data.outbox.at(0)).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("ends failed with the last 5xx after four attempts and makes no fifth request", async () => {
    const twilio = fakeTwilio(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(result).toEqual({ status: "failed", outboxId: expect.any(String), error: "Service Unavailable" });
    expect(twilio.calls).toEqual([PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD]);
    expect(store.data.outbox.toArray()).toEqual([
      row({ status: "failed", error: "20503: Service Unavailable", attempts: 4 }),
    ]);
  });

  it("tries as often as its retry limit says", async () => {
    const twilio = fakeTwilio(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    const sender = twilioSender(twilio.api, { retry: { attempts: 2, minTimeout: 0 } });
    const result = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    expect(result).toMatchObject({ status: "failed", error: "Service Unavailable" });
    expect(twilio.calls).toHaveLength(2);
    expect(store.data.outbox.at(0)).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("does not retry an error without an HTTP answer, since a timeout may have sent the message", async () => {
    const twilio = fakeTwilio({ message: "socket hang up" });
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(result).toEqual({ status: "failed", outboxId: expect.any(String), error: "socket hang up" });
    expect(twilio.calls).toEqual([PAYLOAD]);
    expect(store.data.outbox.toArray()).toEqual([
      row({ status: "failed", error: "socket hang up", attempts: 1 }),
    ]);
  });

  it("makes no retry to a member who opted out while it waited, and keeps the row blocked", async () => {
    await addMember("+4520304050");
    const twilio = fakeTwilio(TOO_MANY);
    twilio.onCall(async () => {
      // STOP arrives while Twilio is answering 429.
      await store.update((data) => {
        data.participants.at(0)!.optedOut = true;
      });
    });
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(result).toEqual({ status: "blocked", outboxId: expect.any(String), reason: "opted-out" });
    expect(twilio.calls).toEqual([PAYLOAD]);
    expect(store.data.outbox.toArray()).toEqual([
      row({
        participantId: store.data.participants.at(0)!.id,
        status: "blocked",
        error: "opted out",
        attempts: 1,
      }),
    ]);
  });

  it("makes no retry to a member erased while it waited, and leaves no trace of them", async () => {
    await addMember("+4520304050");
    const twilio = fakeTwilio(UNAVAILABLE);
    twilio.onCall(async () => {
      await store.update((data) => {
        const participantId = data.participants.at(0)!.id;
        eraseParticipant(data, { participantId, actor: "member", now: now(), secret: Buffer.alloc(32, 1) });
      });
    });
    const result = await twilioSender(twilio.api).sendSms({
      to: "+4520304050",
      body: "Hej",
      purpose: "reminder",
    });
    expect(result).toEqual({ status: "failed", outboxId: expect.any(String), error: "recipient erased" });
    expect(twilio.calls).toEqual([PAYLOAD]);
    expect(store.data.outbox.toArray()).toEqual([
      row({ to: "[slettet]", text: "[slettet]", status: "failed", attempts: 1 }),
    ]);
    expect(JSON.stringify(store.data)).not.toContain("20304050");
  });

  it("waits with exponential backoff and jitter between attempts, without a real sleep", async () => {
    useFakeTime();
    // Jitter stretches each wait by 1 + Math.random(): 1.5 times here.
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const twilio = fakeTwilio(TOO_MANY, UNAVAILABLE, TOO_MANY);
    const sender = twilioSender(twilio.api, { retry: {} });
    const result = await inFakeTime(() =>
      sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" }),
    );
    expect(result).toMatchObject({ status: "sent", providerId: "SM1" });
    // 500 ms, then twice and four times as long, each times 1.5.
    expect(twilio.callTimes.map((time) => time - T0)).toEqual([0, 750, 1500 + 750, 3000 + 2250]);
  });

  it("caps a wait at four seconds when more attempts are allowed", async () => {
    useFakeTime();
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const twilio = fakeTwilio(TOO_MANY, TOO_MANY, TOO_MANY, TOO_MANY, TOO_MANY);
    const sender = twilioSender(twilio.api, { retry: { attempts: 5 } });
    const result = await inFakeTime(() =>
      sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" }),
    );
    expect(result).toMatchObject({ status: "failed", error: "Too Many Requests" });
    const gaps = twilio.callTimes.slice(1).map((time, i) => time - twilio.callTimes[i]!);
    // 500, 1000, 2000 and 4000 ms, each times 1.99, the last one capped.
    expect(gaps).toEqual([995, 1990, 3980, 4000]);
    expect(store.data.outbox.at(0)).toMatchObject({ status: "failed", attempts: 5 });
  });
});

describe("rate limit", () => {
  it("spaces requests to Twilio one second apart at the default rate, however many sends start at once", async () => {
    useFakeTime();
    const twilio = fakeTwilio();
    // The default rate, which twilioSender lifts.
    const sender = createTestOutbound({
      store,
      clock: now,
      sms: createTwilioTransport({ api: twilio.api, from: "+4570000000", retry: { minTimeout: 0 } }, logger),
    });
    const phones = ["+4520304051", "+4520304052", "+4520304053"];
    const results = await inFakeTime(() =>
      Promise.all(phones.map((to) => sender.sendSms({ to, body: "Hej", purpose: "reminder" }))),
    );
    expect(results.map((result) => result.status)).toEqual(["sent", "sent", "sent"]);
    expect(twilio.calls.map((call) => call.to)).toEqual(phones);
    expect(twilio.callTimes.map((time) => time - T0)).toEqual([0, 1000, 2000]);
  });

  it("spaces them 1000 / SMS_RATE_PER_SECOND ms apart at a higher rate", async () => {
    useFakeTime();
    const twilio = fakeTwilio();
    const sender = twilioSender(twilio.api, { ratePerSecond: 4 });
    const phones = ["+4520304051", "+4520304052", "+4520304053", "+4520304054"];
    await inFakeTime(() =>
      Promise.all(phones.map((to) => sender.sendSms({ to, body: "Hej", purpose: "reminder" }))),
    );
    expect(twilio.callTimes.map((time) => time - T0)).toEqual([0, 250, 500, 750]);
  });

  it("makes a retry wait for its turn at the rate limit too", async () => {
    useFakeTime();
    const twilio = fakeTwilio(TOO_MANY);
    const sender = twilioSender(twilio.api, { ratePerSecond: 1, retry: { minTimeout: 0 } });
    const results: SendResult[] = await inFakeTime(() =>
      Promise.all([
        sender.sendSms({ to: "+4520304051", body: "Hej", purpose: "reminder" }),
        sender.sendSms({ to: "+4520304052", body: "Hej", purpose: "reminder" }),
      ]),
    );
    expect(results.map((result) => result.status)).toEqual(["sent", "sent"]);
    // The first is refused at 0 s; its retry queues behind the second, which left at 1 s.
    expect(twilio.calls.map((call) => call.to)).toEqual(["+4520304051", "+4520304052", "+4520304051"]);
    expect(twilio.callTimes.map((time) => time - T0)).toEqual([0, 1000, 2000]);
  });

  it("refuses a rate that is not more than 0", () => {
    expect(() => twilioSender(fakeTwilio().api, { ratePerSecond: 0 })).toThrow(
      "sms: ratePerSecond must be more than 0",
    );
  });
});

describe("recordDeliveryStatus", () => {
  it("updates the message, and a late 'sent' does not undo 'delivered'", async () => {
    const sender = twilioSender(fakeTwilio().api);
    await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    expect(await sender.recordDeliveryStatus({ providerId: "SM1", status: "delivered" })).toBe(true);
    await sender.recordDeliveryStatus({ providerId: "SM1", status: "sent" });
    expect(store.data.outbox.at(0)!.status).toBe("delivered");
  });

  it("ignores a status for a message it does not know", async () => {
    const sender = twilioSender(fakeTwilio().api);
    expect(await sender.recordDeliveryStatus({ providerId: "SMnope", status: "delivered" })).toBe(false);
  });
});
