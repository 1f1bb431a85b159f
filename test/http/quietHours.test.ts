import { describe, expect, it } from "vitest";
import { useFreshFlowServer } from "../helpers/flowServer.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";

/*
 * Manual sends by an organizer in the quiet hours (21:00-08:00 Copenhagen, the assembly
 * file's default). On Saturday 28 November 2026 Copenhagen is UTC+1.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const QUIET_BEGINS = new Date("2026-11-28T20:00:00Z"); // 21:00 in Copenhagen
const LATE_EVENING = new Date("2026-11-28T22:30:00Z"); // 23:30
const QUIET_ENDS = new Date("2026-11-29T07:00:00Z"); // 08:00 the next morning
const ANNA = "+4520304050";
const LIST = "name;phone\nAnna Andersen;20 30 40 50\n";
const QUIET_HOURS_REFUSAL = {
  error: "quiet-hours",
  message: "Det er stille periode (21:00-08:00). Send igen med ?force=true, hvis beskeden skal ud nu.",
  quietHours: { start: "21:00", end: "08:00" },
};

const flow = useFreshFlowServer({ now: NOW });

const post = (path: string) =>
  fetch(`${flow.server.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ORGANIZER_TOKEN}` },
  });

async function sent(purpose: string) {
  return (await flow.db()).outbox
    .filter((message) => message.purpose === purpose)
    .map(({ channel, to, status }) => ({ channel, to, status }));
}

describe("invitations in the quiet hours", () => {
  it.each([
    ["at 21:00, when they begin", QUIET_BEGINS, ""],
    ["late in the evening", LATE_EVENING, ""],
    ["with ?force=false", LATE_EVENING, "?force=false"],
  ])("are refused with 409 %s, and nothing is sent", async (_when, at, query) => {
    await flow.api.importCsv(LIST);
    flow.server.setNow(at);
    const res = await post(`/api/organizer/invitations${query}`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(QUIET_HOURS_REFUSAL);
    expect((await flow.db()).outbox.toArray()).toEqual([]);
    expect((await flow.db()).participants.at(0)!.invitation).toBe("none");
  });

  it("go out with ?force=true", async () => {
    await flow.api.importCsv(LIST);
    flow.server.setNow(LATE_EVENING);
    const res = await post("/api/organizer/invitations?force=true");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect(await sent("invitation")).toEqual([{ channel: "sms", to: ANNA, status: "dry-run" }]);
  });

  it("go out without force from 08:00, when the quiet hours end", async () => {
    await flow.api.importCsv(LIST);
    flow.server.setNow(QUIET_ENDS);
    expect(await flow.api.invite()).toEqual({ sent: 1, skipped: 0, remaining: 0 });
    expect(await sent("invitation")).toEqual([{ channel: "sms", to: ANNA, status: "dry-run" }]);
  });
});

describe("session reminders sent by an organizer in the quiet hours", () => {
  async function annaHasAccepted(): Promise<void> {
    await flow.api.importCsv(LIST);
    await flow.api.invite();
    await flow.sms(ANNA, "JA");
  }

  it("are refused with 409 and nothing is sent, then go out with ?force=true", async () => {
    await annaHasAccepted();
    flow.server.setNow(LATE_EVENING);
    const refused = await post("/api/organizer/sessions/m1/reminders");
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual(QUIET_HOURS_REFUSAL);
    expect(await sent("reminder")).toEqual([]);
    expect((await flow.db()).participants.at(0)!.awaitingSession).toBeUndefined();

    const forced = await post("/api/organizer/sessions/m1/reminders?force=true");
    expect(forced.status).toBe(200);
    expect(await forced.json()).toEqual({ sent: 1, skipped: 0 });
    expect(await sent("reminder")).toEqual([{ channel: "sms", to: ANNA, status: "dry-run" }]);
  });

  it("go out without force outside the quiet hours", async () => {
    await annaHasAccepted();
    flow.server.setNow(QUIET_ENDS);
    expect(await flow.api.remind("m1")).toEqual({ sent: 1, skipped: 0 });
    expect(await sent("reminder")).toEqual([{ channel: "sms", to: ANNA, status: "dry-run" }]);
  });

  it("still answer 404 for an unknown session", async () => {
    flow.server.setNow(LATE_EVENING);
    const res = await post("/api/organizer/sessions/no-such-session/reminders");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no session with that id" });
  });
});
