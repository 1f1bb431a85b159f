import { describe, expect, it } from "vitest";
import { useFreshFlowServer } from "../helpers/flowServer.js";
import { sayOnLocalPage } from "../helpers/localPage.js";

/*
 * The automatic reminder over the real HTTP endpoints. With the clock at Saturday 28 November
 * 2026 the demo's sessions are Tuesday 15 December (17-21, 16:00Z), Saturday 26 December,
 * Thursday 7 January, Saturday 23 January and Saturday 13 February.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const ANNA = "+4520304050";
const LIST = "name;phone\nAnna Andersen;20 30 40 50\n";
const TWO_DAYS_BEFORE_M1 = new Date("2026-12-13T16:00:00Z");

const flow = useFreshFlowServer({ now: NOW });

describe("the automatic reminder", () => {
  it("reaches a member who accepted by SMS, and their NEJ marks them absent from that session only", async () => {
    await flow.api.importCsv(LIST);
    await flow.api.invite();
    await flow.sms(ANNA, "JA");
    await flow.sms(ANNA, "nej tak");
    flow.server.setNow(new Date(TWO_DAYS_BEFORE_M1.getTime() - 60_000));
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    flow.server.setNow(TWO_DAYS_BEFORE_M1);
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    const reminders = (await flow.db()).outbox.filter((message) => message.purpose === "reminder");
    expect(reminders.map((message) => [message.to, message.text])).toEqual([
      [
        ANNA,
        "Påmindelse: Velkommen og introduktion er tirsdag den 15. december kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.",
      ],
    ]);
    expect(await flow.sms(ANNA, "nej")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer tirsdag den 15. december kl. 17-21.",
    ]);
    const report = (await flow.api.attendance()).participants.find((p) => p.phone === ANNA)!;
    expect(report.sessions).toEqual({
      m1: "absent",
      m2: "unknown",
      m3: "unknown",
      m4: "unknown",
      m5: "unknown",
    });
    expect((await flow.db()).participants.at(0)!.invitation).toBe("accepted");
    // The 3-hour reminder of a session they will not come to is not sent.
    flow.server.setNow(new Date("2026-12-15T13:00:00Z"));
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
  });

  it("lists for the organizers what was sent and what is still planned, per session, also as CSV", async () => {
    await flow.api.importCsv(LIST);
    await flow.api.invite();
    await flow.sms(ANNA, "JA");
    flow.server.setNow(TWO_DAYS_BEFORE_M1);
    await flow.server.app.scheduler.tick();
    const res = await flow.api.reminders("?sessionId=m1");
    const { reminders } = (await res.json()) as { reminders: Array<Record<string, unknown>> };
    const annaId = (await flow.db()).participants.at(0)!.id;
    expect(reminders).toEqual([
      {
        sessionId: "m1",
        kind: "reminder",
        participantId: annaId,
        name: "Anna Andersen",
        status: "sent",
        plannedFor: "2026-12-13T16:00:00.000Z",
        updatedAt: "2026-12-13T16:00:00.000Z",
        channel: "sms",
      },
      {
        sessionId: "m1",
        kind: "reminder",
        participantId: annaId,
        name: "Anna Andersen",
        status: "planned",
        plannedFor: "2026-12-15T13:00:00.000Z",
        dueAt: "2026-12-15T13:00:00.000Z",
      },
      // 30 minutes after 21:00 is inside the quiet hours: the thanks go the next morning.
      {
        sessionId: "m1",
        kind: "feedback",
        participantId: annaId,
        name: "Anna Andersen",
        status: "planned",
        plannedFor: "2026-12-15T20:30:00.000Z",
        dueAt: "2026-12-16T07:00:00.000Z",
      },
    ]);
    const bytes = Buffer.from(await (await flow.api.reminders("?sessionId=m1&format=csv")).arrayBuffer());
    // With the BOM Danish Excel needs to read UTF-8.
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString("utf8").split("\r\n").slice(0, 3)).toEqual([
      "session;kind;participant_id;name;status;planned_for;due_at;updated_at;reason;channel",
      `m1;reminder;${annaId};Anna Andersen;sent;2026-12-13T16:00:00.000Z;;2026-12-13T16:00:00.000Z;;sms`,
      `m1;reminder;${annaId};Anna Andersen;planned;2026-12-15T13:00:00.000Z;2026-12-15T13:00:00.000Z;;;`,
    ]);
  });
});

describe("the automatic reminder on the local page", () => {
  const local = (text?: string) => sayOnLocalPage(flow.server.baseUrl, text);

  it("arrives in the chat the member used, without a phone", async () => {
    await local();
    await local("ja");
    await local("nej tak");
    flow.server.setNow(TWO_DAYS_BEFORE_M1);
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    const res = await fetch(`${flow.server.baseUrl}/api/local/messages?userId=prove-bruger&after=0`);
    const pending = JSON.stringify(await res.json());
    expect(pending).toContain(
      "Påmindelse: Velkommen og introduktion er tirsdag den 15. december kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.",
    );
    expect((await flow.db()).outbox.filter((message) => message.purpose === "reminder")).toHaveLength(1);
  });
});
