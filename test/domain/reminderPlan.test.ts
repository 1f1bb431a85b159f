import { describe, expect, it } from "vitest";
import {
  endOfQuietHours,
  planFeedbackRequests,
  planInvitationNudges,
  planSessionReminders,
  wallClockBefore,
} from "../../bot/domain/reminderPlan.js";
import { emptyDb, type DbData, type Participant } from "../../bot/store/schema.js";
import { assemblyWith } from "../helpers/reminderAssembly.js";

const TZ = "Europe/Copenhagen";
const quiet = { start: "21:00", end: "08:00" };

function member(id: string, fields: Partial<Participant> = {}): Participant {
  return {
    id,
    language: "da",
    createdAt: "2026-01-01T00:00:00Z",
    onList: true,
    invitation: "accepted",
    optedOut: false,
    ...fields,
  };
}

function dataWith(...participants: Participant[]): DbData {
  const data = emptyDb(new Date("2026-01-01T00:00:00Z"));
  data.participants.push(...participants);
  return data;
}

const iso = (date: Date) => date.toISOString();

describe("the reminder plan", () => {
  it("has each accepted member's reminders 48 and 3 hours before the start", () => {
    const assembly = assemblyWith([{ id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" }]);
    const plan = planSessionReminders(assembly, dataWith(member("ane")));
    expect(plan.map((p) => [p.key, p.participantId, iso(p.plannedFor), iso(p.dueAt), p.skip])).toEqual([
      [
        "reminder:m1@2026-04-14T15:00:00.000Z:48h",
        "ane",
        "2026-04-12T15:00:00.000Z",
        "2026-04-12T15:00:00.000Z",
        undefined,
      ],
      [
        "reminder:m1@2026-04-14T15:00:00.000Z:3h",
        "ane",
        "2026-04-14T12:00:00.000Z",
        "2026-04-14T12:00:00.000Z",
        undefined,
      ],
    ]);
  });

  it("leaves out members who declined, opted out or sent word of absence, and cancelled sessions", () => {
    const assembly = assemblyWith([
      { id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" },
      { id: "m2", date: "2026-04-21", start: "17:00", end: "21:00" },
      { id: "m3", date: "2026-04-28", start: "17:00", end: "21:00", cancelled: true },
    ]);
    const data = dataWith(
      member("ane"),
      member("bo", { invitation: "declined" }),
      member("carl", { optedOut: true }),
      member("dorte", { invitation: "invited" }),
      member("eva"),
    );
    data.attendance.push({
      participantId: "eva",
      sessionId: "m1",
      status: "absent",
      updatedAt: "2026-04-01T00:00:00Z",
    });
    const plan = planSessionReminders(assembly, data);
    expect(plan.map((p) => `${p.participantId} ${p.session.id} ${p.hoursBefore}`)).toEqual([
      "ane m1 48",
      "ane m1 3",
      "ane m2 48",
      "ane m2 3",
      "eva m2 48",
      "eva m2 3",
    ]);
  });

  it("gives a member who accepted late only the reminders still ahead", () => {
    const assembly = assemblyWith([{ id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" }]);
    const plan = planSessionReminders(
      assembly,
      dataWith(member("ane", { invitationAt: "2026-04-13T09:00:00.000Z" })),
    );
    expect(plan.map((p) => p.hoursBefore)).toEqual([3]);
  });

  it("keys a moved session's reminders on its new start, so none is due at the old time", () => {
    const before = planSessionReminders(
      assemblyWith([{ id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" }]),
      dataWith(member("ane")),
    );
    const after = planSessionReminders(
      assemblyWith([{ id: "m1", date: "2026-04-21", start: "17:00", end: "21:00" }]),
      dataWith(member("ane")),
    );
    expect(after.map((p) => p.key)).toEqual([
      "reminder:m1@2026-04-21T15:00:00.000Z:48h",
      "reminder:m1@2026-04-21T15:00:00.000Z:3h",
    ]);
    expect(after.some((p) => before.some((old) => old.key === p.key))).toBe(false);
  });

  it("waits for the quiet hours to end, and skips a reminder whose session has begun by then", () => {
    const assembly = assemblyWith([
      // 3 hours before 10:00 is 07:00, inside the quiet hours: it goes at 08:00.
      { id: "sat", date: "2026-05-16", start: "10:00", end: "16:00" },
      // 3 hours before 07:30 is 04:30; at 08:00 the session has begun.
      { id: "early", date: "2026-05-19", start: "07:30", end: "09:00" },
    ]);
    const plan = planSessionReminders(assembly, dataWith(member("ane")));
    const threeHours = plan.filter((p) => p.hoursBefore === 3);
    expect(threeHours.map((p) => [p.session.id, iso(p.plannedFor), iso(p.dueAt), p.skip])).toEqual([
      ["sat", "2026-05-16T05:00:00.000Z", "2026-05-16T06:00:00.000Z", undefined],
      ["early", "2026-05-19T02:30:00.000Z", "2026-05-19T06:00:00.000Z", "session-begun"],
    ]);
  });
});

describe("the invitation nudge", () => {
  it("is planned once, 3 days before the RSVP deadline at 10:00, for invited members who have not answered", () => {
    const assembly = assemblyWith(
      [{ id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" }],
      {},
      "2026-04-07",
    );
    const data = dataWith(
      member("ane", { invitation: "invited" }),
      member("bo"),
      member("carl", { invitation: "declined" }),
      member("dorte", { invitation: "invited", optedOut: true }),
      member("eva", { invitation: "none" }),
    );
    expect(
      planInvitationNudges(assembly, data).map((p) => [p.key, p.participantId, iso(p.dueAt), p.skip]),
    ).toEqual([["nudge", "ane", "2026-04-04T08:00:00.000Z", undefined]]);
  });

  it("is not planned without an RSVP deadline", () => {
    const assembly = assemblyWith([{ id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" }]);
    expect(planInvitationNudges(assembly, dataWith(member("ane", { invitation: "invited" })))).toEqual([]);
  });
});

describe("the feedback request", () => {
  it("follows a session by 30 minutes, and after the quiet hours begin it waits for the morning", () => {
    const assembly = assemblyWith([
      { id: "tue", date: "2026-04-14", start: "17:00", end: "21:00" },
      { id: "sat", date: "2026-04-18", start: "10:00", end: "16:00" },
    ]);
    const data = dataWith(member("ane"), member("bo", { invitation: "invited" }));
    data.attendance.push({
      participantId: "ane",
      sessionId: "sat",
      status: "absent",
      updatedAt: "2026-04-01T00:00:00Z",
    });
    expect(
      planFeedbackRequests(assembly, data).map((p) => [
        p.key,
        p.participantId,
        iso(p.plannedFor),
        iso(p.dueAt),
      ]),
    ).toEqual([
      [
        "feedback:tue@2026-04-14T15:00:00.000Z",
        "ane",
        "2026-04-14T19:30:00.000Z",
        "2026-04-15T06:00:00.000Z",
      ],
    ]);
  });
});

describe("wall-clock time", () => {
  it("sends a reminder 48 hours before a session on the Sunday DST begins at the same local hour", () => {
    // Sunday 29 March 2026 10:00 CEST; Friday 27 March 10:00 is still CET: 47 real hours.
    expect(iso(wallClockBefore(new Date("2026-03-29T08:00:00Z"), 48, TZ))).toBe("2026-03-27T09:00:00.000Z");
  });

  it("sends a reminder 48 hours before a session on the Sunday DST ends at the same local hour", () => {
    // Sunday 25 October 2026 10:00 CET; Friday 23 October 10:00 is CEST: 49 real hours.
    expect(iso(wallClockBefore(new Date("2026-10-25T09:00:00Z"), 48, TZ))).toBe("2026-10-23T08:00:00.000Z");
  });

  it("moves a reminder that falls in the hour DST skips to the first real moment after it", () => {
    // 3 hours before 05:30 CEST on 29 March is 02:30, which does not exist: it is 03:30 CEST.
    expect(iso(wallClockBefore(new Date("2026-03-29T03:30:00Z"), 3, TZ))).toBe("2026-03-29T01:30:00.000Z");
  });

  it("picks one moment for a reminder that falls in the hour DST repeats", () => {
    // 3 hours before 05:30 CET on 25 October is 02:30, which happens twice.
    const at = iso(wallClockBefore(new Date("2026-10-25T04:30:00Z"), 3, TZ));
    expect(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]).toContain(at);
  });

  it("ends the quiet hours at 08:00 local time on both sides of a DST change", () => {
    expect(iso(endOfQuietHours(new Date("2026-03-28T22:00:00Z"), quiet, TZ))).toBe(
      "2026-03-29T06:00:00.000Z",
    );
    expect(iso(endOfQuietHours(new Date("2026-10-24T21:00:00Z"), quiet, TZ))).toBe(
      "2026-10-25T07:00:00.000Z",
    );
    // 20:59 is not quiet; 21:00 is.
    expect(iso(endOfQuietHours(new Date("2026-05-16T18:59:00Z"), quiet, TZ))).toBe(
      "2026-05-16T18:59:00.000Z",
    );
    expect(iso(endOfQuietHours(new Date("2026-05-16T19:00:00Z"), quiet, TZ))).toBe(
      "2026-05-17T06:00:00.000Z",
    );
  });
});
