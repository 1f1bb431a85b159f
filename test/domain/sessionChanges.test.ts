import { describe, expect, it } from "vitest";
import { recordScheduleChanges } from "../../bot/domain/sessionChanges.js";
import { emptyDb } from "../../bot/store/schema.js";
import { assemblyWith } from "../helpers/reminderAssembly.js";

const FIRST = { id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" };
const SECOND = { id: "m2", date: "2026-04-21", start: "17:00", end: "21:00" };

function startedWith(...sessions: Array<typeof FIRST>) {
  const data = emptyDb(new Date("2026-04-01T00:00:00Z"));
  recordScheduleChanges(data, assemblyWith(sessions), new Date("2026-04-01T10:00:00Z"));
  return data;
}

describe("changes to the schedule", () => {
  it("are none at the first start, which remembers the schedule", () => {
    const data = emptyDb(new Date("2026-04-01T00:00:00Z"));
    expect(recordScheduleChanges(data, assemblyWith([FIRST]), new Date("2026-04-01T10:00:00Z"))).toBe(0);
    expect(data.meta.schedule).toEqual({ m1: { start: "2026-04-14T15:00:00.000Z" } });
    expect(data.sessionChanges).toEqual([]);
  });

  it("keep a session moved while it was ahead, and one cancelled or taken out of the file", () => {
    const data = startedWith(FIRST, SECOND, { ...SECOND, id: "m3", date: "2026-04-28" });
    const now = new Date("2026-04-10T10:00:00Z");
    const next = assemblyWith([{ ...FIRST, start: "18:00" }, { ...SECOND, cancelled: true } as typeof FIRST]);
    expect(recordScheduleChanges(data, next, now)).toBe(3);
    expect(data.sessionChanges).toEqual([
      {
        sessionId: "m1",
        from: "2026-04-14T15:00:00.000Z",
        to: "2026-04-14T16:00:00.000Z",
        seenAt: now.toISOString(),
      },
      { sessionId: "m2", from: "2026-04-21T15:00:00.000Z", seenAt: now.toISOString() },
      { sessionId: "m3", from: "2026-04-28T15:00:00.000Z", seenAt: now.toISOString() },
    ]);
    expect(recordScheduleChanges(data, next, now)).toBe(0);
  });

  it("leave out sessions that were already over, as the demo's moving dates are", () => {
    const data = startedWith(FIRST);
    expect(
      recordScheduleChanges(
        data,
        assemblyWith([{ ...FIRST, date: "2026-06-02" }]),
        new Date("2026-05-01T10:00:00Z"),
      ),
    ).toBe(0);
    expect(data.meta.schedule).toEqual({ m1: { start: "2026-06-02T15:00:00.000Z" } });
  });
});
