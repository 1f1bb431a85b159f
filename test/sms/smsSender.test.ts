import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureParticipant } from "../../bot/domain/participants.js";
import { createLogger } from "../../bot/logger.js";
import { createSmsSender, type SmsSender } from "../../bot/sms/smsSender.js";
import type { TwilioMessagesApi } from "../../bot/sms/twilioProvider.js";
import type { Store } from "../../bot/store/store.js";
import { openTempStore } from "../helpers/tempStore.js";

const now = () => new Date("2026-11-28T10:00:00Z");
const logger = createLogger({ level: "silent" });
let store: Store;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await openTempStore(now));
});
afterEach(() => cleanup());

function fakeTwilio(behaviour: "ok" | { code: number; message: string } = "ok") {
  const calls: Array<Parameters<TwilioMessagesApi["create"]>[0]> = [];
  const api: TwilioMessagesApi = {
    async create(params) {
      calls.push(params);
      if (behaviour !== "ok") throw Object.assign(new Error(behaviour.message), { code: behaviour.code });
      return { sid: `SM${calls.length}`, status: "queued" };
    },
  };
  return { api, calls };
}

function twilioSender(api: TwilioMessagesApi): SmsSender {
  return createSmsSender({
    store,
    clock: now,
    logger,
    twilio: { api, from: "+4570000000", statusCallbackUrl: "https://bot.example.dk/api/sms/status" },
  });
}

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
    expect(result).toEqual({ status: "sent", outboxId: expect.any(String), providerId: "SM1" });
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
    const sender = createSmsSender({ store, clock: now, logger });
    const result = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "invitation" });
    expect(sender.dryRun).toBe(true);
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

  it("marks the number opted out when Twilio answers 21610, so the next message is not sent", async () => {
    await addMember("+4520304050");
    const twilio = fakeTwilio({ code: 21610, message: "Attempt to send to unsubscribed recipient" });
    const sender = twilioSender(twilio.api);
    const first = await sender.sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    const second = await sender.sendSms({ to: "+4520304050", body: "Hej igen", purpose: "reminder" });
    expect(first).toMatchObject({ status: "failed" });
    expect(second).toMatchObject({ status: "blocked" });
    expect(twilio.calls).toHaveLength(1);
    expect(store.data.participants.at(0)!.optedOut).toBe(true);
    expect(store.data.history.at(-1)).toMatchObject({ change: "opted-out", actor: "system" });
  });

  it("keeps a failed send in the outbox with Twilio's error", async () => {
    const twilio = fakeTwilio({ code: 21211, message: "Invalid 'To' Phone Number" });
    await twilioSender(twilio.api).sendSms({ to: "+4520304050", body: "Hej", purpose: "reminder" });
    expect(store.data.outbox.at(0)).toMatchObject({
      status: "failed",
      error: "21211: Invalid 'To' Phone Number",
    });
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
