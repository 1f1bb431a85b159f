import { describe, expect, it } from "vitest";
import { formatKroner, formatMoment, formatSessionTime } from "../../bot/format/danishTime.js";

const da = (now: string) => ({ language: "da" as const, timeZone: "Europe/Copenhagen", now: new Date(now) });

describe("formatSessionTime", () => {
  it.each([
    [
      "2027-03-13T09:00:00Z",
      "2027-03-13T15:00:00Z",
      "2027-03-01T12:00:00Z",
      "lørdag den 13. marts kl. 10-16",
    ],
    ["2027-04-03T08:00:00Z", "2027-04-03T14:00:00Z", "2027-03-01T12:00:00Z", "lørdag den 3. april kl. 10-16"],
    [
      "2026-12-01T16:30:00Z",
      "2026-12-01T20:00:00Z",
      "2026-11-28T12:00:00Z",
      "tirsdag den 1. december kl. 17.30-21.00",
    ],
    [
      "2027-01-07T16:00:00Z",
      "2027-01-07T20:00:00Z",
      "2026-11-28T12:00:00Z",
      "torsdag den 7. januar 2027 kl. 17-21",
    ],
    ["2026-11-29T09:00:00Z", "2026-11-29T15:00:00Z", "2026-11-28T23:30:00Z", "i dag kl. 10-16"],
    ["2026-11-29T09:00:00Z", "2026-11-29T15:00:00Z", "2026-11-28T12:00:00Z", "i morgen (søndag) kl. 10-16"],
  ])("formats %s-%s seen from %s as %s", (start, end, now, expected) => {
    expect(formatSessionTime(new Date(start), new Date(end), da(now))).toBe(expected);
  });

  it("keeps the local hour across the change to summer time", () => {
    // 27 March 2027 is winter time (UTC+1), 3 April summer time (UTC+2): both are 10-16 locally.
    const winter = formatSessionTime(
      new Date("2027-03-27T09:00:00Z"),
      new Date("2027-03-27T15:00:00Z"),
      da("2027-03-01T12:00:00Z"),
    );
    const summer = formatSessionTime(
      new Date("2027-03-28T08:00:00Z"),
      new Date("2027-03-28T14:00:00Z"),
      da("2027-03-01T12:00:00Z"),
    );
    expect([winter, summer]).toEqual(["lørdag den 27. marts kl. 10-16", "søndag den 28. marts kl. 10-16"]);
  });
});

describe("formatKroner", () => {
  it.each([
    [600, "600 kr."],
    [2000, "2.000 kr."],
    [12500, "12.500 kr."],
  ])("writes %d as %s", (amount, expected) => {
    expect(formatKroner(amount)).toBe(expected);
  });
});

describe("formatMoment", () => {
  it("writes the bot's own time with a period in the hour, in Copenhagen across summer time", () => {
    const options = { language: "da" as const, timeZone: "Europe/Copenhagen" };
    expect(formatMoment(new Date("2026-03-14T09:00:00Z"), options)).toBe("lørdag den 14. marts kl. 10.00");
    expect(formatMoment(new Date("2026-03-29T01:05:00Z"), options)).toBe("søndag den 29. marts kl. 03.05");
    expect(formatMoment(new Date("2026-03-14T09:00:00Z"), { ...options, language: "en" })).toBe(
      "Saturday 14 March, 10:00",
    );
  });
});
