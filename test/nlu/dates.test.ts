import { describe, it, expect } from "vitest";
import { datesMatch, extractDates } from "../../bot/nlu/dates.js";

/** Tuesday 10 March 2026, noon in Copenhagen (winter time). */
const TUESDAY_NOON = new Date("2026-03-10T12:00:00+01:00");

describe("extractDates on everyday Danish", () => {
  it.each<[string, string[]]>([
    ["på lørdag", ["2026-03-14"]],
    ["paa loerdag", ["2026-03-14"]],
    ["lørdga er fint", ["2026-03-14"]],
    ["tirsdag", ["2026-03-10"]],
    ["næste tirsdag", ["2026-03-17"]],
    ["tirsdag i næste uge", ["2026-03-17"]],
    ["i tirsdags", ["2026-03-03"]],
    ["fredag aften", ["2026-03-13"]],
    ["i dag", ["2026-03-10"]],
    ["imorgen", ["2026-03-11"]],
    ["i overmorgen", ["2026-03-12"]],
    ["i går", ["2026-03-09"]],
    ["om en uge", ["2026-03-17"]],
    ["om 3 dage", ["2026-03-13"]],
    ["om 14 dage", ["2026-03-24"]],
    ["om en måned", ["2026-04-10"]],
    ["d. 14. marts", ["2026-03-14"]],
    ["14/3", ["2026-03-14"]],
    ["14.3", ["2026-03-14"]],
    ["14-03-2027", ["2027-03-14"]],
    ["14/3-27", ["2027-03-14"]],
    ["den fjerde april", ["2026-04-04"]],
    ["1. maj", ["2026-05-01"]],
    ["juleaften", ["2026-12-24"]],
    ["d. 14. men kommer d. 21.", ["2026-03-14", "2026-03-21"]],
    ["d. 14. og 21. april", ["2026-04-14", "2026-04-21"]],
    ["kan på fredag eller lørdag", ["2026-03-13", "2026-03-14"]],
    ["tirsdag eller onsdag i næste uge", ["2026-03-17", "2026-03-18"]],
  ])("reads %j as %j", (text, expected) => {
    expect(extractDates(text, TUESDAY_NOON)).toEqual(expected);
  });
});

describe("extractDates on dates that have passed", () => {
  it.each<[string, string[]]>([
    ["d. 9.", ["2026-04-09"]],
    ["d. 10.", ["2026-03-10"]],
    ["9. marts", ["2027-03-09"]],
    ["10/3", ["2026-03-10"]],
  ])("takes the next occurrence of %j: %j", (text, expected) => {
    expect(extractDates(text, TUESDAY_NOON)).toEqual(expected);
  });

  it("takes a day the current month lacks from the next month that has it", () => {
    expect(extractDates("d. 30", new Date("2026-02-26T13:00:00+01:00"))).toEqual(["2026-03-30"]);
  });
});

describe("extractDates on clock times", () => {
  it.each<[string, string[]]>([
    ["i morgen kl. 9.30", ["2026-03-11T09:30"]],
    ["i morgen kl 930", ["2026-03-11T09:30"]],
    ["i morgen halv ti", ["2026-03-11T09:30"]],
    ["i morgen kvart over ti", ["2026-03-11T10:15"]],
    ["i morgen kvart i ti", ["2026-03-11T09:45"]],
    ["torsdag d. 5/11 kl 17", ["2026-11-05T17:00"]],
    ["lørdag kl 10", ["2026-03-14T10:00"]],
    ["lørdag 10-16", ["2026-03-14T10:00"]],
    ["lørdag fra 10 til 16", ["2026-03-14T10:00"]],
    ["kl 17 på torsdag og kl 9 på fredag", ["2026-03-12T17:00", "2026-03-13T09:00"]],
    ["i morgen d. 11/3 kl 19", ["2026-03-11T19:00"]],
    ["kl. 17.30", ["2026-03-10T17:30"]],
    ["klokken 19", ["2026-03-10T19:00"]],
    ["kl 17 eller 18", ["2026-03-10T17:00", "2026-03-10T18:00"]],
    ["ved 17-tiden", ["2026-03-10T17:00"]],
    ["om 2 timer", ["2026-03-10T14:00"]],
  ])("reads %j as %j", (text, expected) => {
    expect(extractDates(text, TUESDAY_NOON)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["kl. 6", ["2026-03-10T18:00"]],
    ["halv otte", ["2026-03-10T19:30"]],
    ["kvart over syv", ["2026-03-10T19:15"]],
    ["kl 1 på lørdag", ["2026-03-14T13:00"]],
    ["kl 8", ["2026-03-11T08:00"]],
    ["kl. 07.30", ["2026-03-11T07:30"]],
    ["kl 6 om morgenen", ["2026-03-11T06:00"]],
    ["i morgen tidlig kl 7", ["2026-03-11T07:00"]],
    ["kl 8 i aften", ["2026-03-10T20:00"]],
    ["kl 3 om eftermiddagen", ["2026-03-10T15:00"]],
  ])("puts a bare hour in meeting hours unless the text says otherwise: %j is %j", (text, expected) => {
    expect(extractDates(text, TUESDAY_NOON)).toEqual(expected);
  });

  it("moves a time that has passed today to tomorrow", () => {
    expect(extractDates("kl 10", TUESDAY_NOON)).toEqual(["2026-03-11T10:00"]);
  });
});

describe("extractDates on numbers that are not dates", () => {
  it.each([
    "2 børn",
    "34 år",
    "jeg har 3 spørgsmål",
    "ring på 20 30 40 50",
    "+45 20304050",
    "det koster 500 kr",
    "kr. 14.50",
    "2.5 timer",
    "4/5 stjerner",
    "jeg giver mødet 4/5",
    "10/10!",
    "4 ud af 5",
    "en 1/2 time",
    "3/4 af dem",
    "vi er i lokale 2.14",
    "det er den 3. gang",
    "hver tirsdag",
    "i næste uge",
    "uge 12",
    "i 2027",
    "d. 31/4",
    "d. 31. i næste måned",
  ])("finds nothing in %j", (text) => {
    expect(extractDates(text, TUESDAY_NOON)).toEqual([]);
  });
});

describe("extractDates around the new year", () => {
  const december = new Date("2026-12-20T12:00:00+01:00");

  it.each<[string, string[]]>([
    ["d. 14. januar", ["2027-01-14"]],
    ["14/1", ["2027-01-14"]],
    ["d. 5", ["2027-01-05"]],
    ["om 2 uger", ["2027-01-03"]],
    ["nytårsaften", ["2026-12-31"]],
  ])("reads %j in December as %j", (text, expected) => {
    expect(extractDates(text, december)).toEqual(expected);
  });

  it("reads tomorrow on New Year's Eve as next year", () => {
    expect(extractDates("i morgen", new Date("2026-12-31T23:30:00+01:00"))).toEqual(["2027-01-01"]);
  });
});

describe("extractDates across daylight saving changes", () => {
  it.each<[string, string, string[]]>([
    // 23:30 UTC on 28 March is already 00:30 on 29 March in Copenhagen
    ["2026-03-28T23:30:00Z", "i dag", ["2026-03-29"]],
    ["2026-03-28T23:30:00Z", "i morgen kl 10", ["2026-03-30T10:00"]],
    // 01:30 winter time + 2 real hours: the clock jumps 02:00 → 03:00
    ["2026-03-29T00:30:00Z", "om 2 timer", ["2026-03-29T04:30"]],
    ["2026-03-28T12:00:00+01:00", "i morgen kl 17", ["2026-03-29T17:00"]],
    ["2026-10-24T22:30:00Z", "i dag", ["2026-10-25"]],
    ["2026-10-24T22:30:00Z", "i morgen kl 17", ["2026-10-26T17:00"]],
    // 02:30 summer time + 1 real hour is 02:30 winter time: the hour repeats
    ["2026-10-25T00:30:00Z", "om en time", ["2026-10-25T02:30"]],
  ])("at %s reads %j as %j", (ref, text, expected) => {
    expect(extractDates(text, new Date(ref))).toEqual(expected);
  });

  it.each(["UTC", "America/New_York", "Asia/Tokyo", "Europe/Copenhagen"])(
    "gives Copenhagen dates when the process time zone is %s",
    (zone) => {
      const original = process.env.TZ;
      try {
        process.env.TZ = zone;
        const ref = new Date("2026-03-28T23:30:00Z");
        expect(extractDates("i morgen kl 10 og på lørdag", ref)).toEqual(["2026-03-30T10:00", "2026-04-04"]);
      } finally {
        if (original === undefined) delete process.env.TZ;
        else process.env.TZ = original;
      }
    },
  );

  it("reads the wall clock of the time zone it is given", () => {
    const lateEvening = new Date("2026-03-10T23:30:00Z");
    expect(extractDates("i dag", lateEvening)).toEqual(["2026-03-11"]);
    expect(extractDates("i dag", lateEvening, "UTC")).toEqual(["2026-03-10"]);
  });
});

describe("datesMatch", () => {
  it.each<[string[], string[], boolean]>([
    [["2026-03-14"], ["2026-03-14T10:00"], true],
    [["2026-03-14T10:00"], ["2026-03-14"], false],
    [["2026-03-14T10:00"], ["2026-03-14T10:30"], false],
    [["2026-03-14", "2026-03-21"], ["2026-03-21", "2026-03-14"], true],
    [["2026-03-14"], ["2026-03-14", "2026-03-21"], false],
    [["2026-03-14", "2026-03-21"], ["2026-03-14"], false],
    [[], [], true],
    [[], ["2026-03-14"], false],
  ])("scores expected %j against extracted %j as %s", (expected, actual, matches) => {
    expect(datesMatch(expected, actual)).toBe(matches);
  });
});
