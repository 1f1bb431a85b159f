import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { datesMatch, extractDates } from "../../bot/nlu/dates.js";
import { EvalLineError, evaluateCases, parseEvalLines, type EvalCase } from "../../bot/nlu/evaluate.js";
import { createIntentClassifier } from "../../bot/nlu/intents.js";
import { parseRating } from "../../bot/nlu/rating.js";

const lines = (...records: unknown[]) => records.map((record) => JSON.stringify(record)).join("\n");

describe("parseEvalLines", () => {
  it("reads each kind and skips blank lines", () => {
    const content = `${lines(
      { text: "ja", intent: "rsvp.yes" },
      { text: "på fredag", ref: "2026-03-10T12:00:00+01:00", dates: ["2026-03-13"] },
    )}\n\n${lines({ text: "5", rating: 5 }, { text: "ved ikke", rating: null })}\n`;
    expect(parseEvalLines(content, "f.jsonl")).toEqual([
      { kind: "intent", file: "f.jsonl", line: 1, text: "ja", intent: "rsvp.yes" },
      {
        kind: "dates",
        file: "f.jsonl",
        line: 2,
        text: "på fredag",
        ref: "2026-03-10T12:00:00+01:00",
        dates: ["2026-03-13"],
      },
      { kind: "rating", file: "f.jsonl", line: 4, text: "5", rating: 5 },
      { kind: "rating", file: "f.jsonl", line: 5, text: "ved ikke", rating: null },
    ]);
  });

  it.each([
    ["not json", /^f\.jsonl:2: not valid JSON$/],
    ["[1]", /^f\.jsonl:2: expected a JSON object$/],
    [lines({ intent: "help" }), /^f\.jsonl:2: missing "text"/],
    [lines({ text: "x" }), /^f\.jsonl:2: expected exactly one of/],
    [lines({ text: "x", intent: "help", rating: 3 }), /^f\.jsonl:2: expected exactly one of/],
    [lines({ text: "x", intent: "faq.parking" }), /^f\.jsonl:2: unknown intent id "faq.parking"$/],
    [lines({ text: "x", dates: [] }), /^f\.jsonl:2: "dates" needs "ref"/],
    [lines({ text: "x", dates: [], ref: "2026-03-10T12:00:00" }), /^f\.jsonl:2: "dates" needs "ref"/],
    [
      lines({ text: "x", dates: [1], ref: "2026-03-10T12:00:00Z" }),
      /^f\.jsonl:2: "dates" must be a list of strings$/,
    ],
    [lines({ text: "x", rating: 6 }), /^f\.jsonl:2: "rating" must be an integer 1–5 or null$/],
    [lines({ text: "x", rating: 2.5 }), /^f\.jsonl:2: "rating" must be/],
  ])("rejects %s naming file and line", (badLine, message) => {
    const content = `${lines({ text: "ok", intent: "rsvp.yes" })}\n${badLine}`;
    expect(() => parseEvalLines(content, "f.jsonl")).toThrow(EvalLineError);
    expect(() => parseEvalLines(content, "f.jsonl")).toThrow(message);
  });
});

describe("evaluateCases scoring", () => {
  const intent = (text: string, expected: string) =>
    ({ kind: "intent", file: "f", line: 1, text, intent: expected }) as EvalCase;
  const answers: Record<string, string> = { ja: "rsvp.yes", nej: "none", tak: "greeting", hej: "greeting" };
  const classify = (text: string) => ({ intent: answers[text] ?? "none" });

  it("counts a wrong intent as a wrong answer but a missed one ('none') only as inaccurate", () => {
    const cases = [
      intent("ja", "rsvp.yes"),
      intent("hej", "greeting"),
      intent("nej", "rsvp.no"),
      intent("tak", "thanks"),
    ];
    const { summary, failures } = evaluateCases(cases, { classify });
    expect(summary).toEqual({ intents: { n: 4, accuracy: 0.5, wrongAnswerRate: 0.25 } });
    expect(failures.map((f) => [f.text, f.expected, f.got])).toEqual([
      ["nej", "rsvp.no", "none"],
      ["tak", "thanks", "greeting"],
    ]);
  });

  it("scores dates with datesMatch and the reference instant of each case", () => {
    const seen: string[] = [];
    const cases: EvalCase[] = [
      {
        kind: "dates",
        file: "f",
        line: 1,
        text: "a",
        ref: "2026-03-10T12:00:00+01:00",
        dates: ["2026-03-13"],
      },
      { kind: "dates", file: "f", line: 2, text: "b", ref: "2026-03-10T12:00:00+01:00", dates: [] },
    ];
    const { summary, failures } = evaluateCases(cases, {
      extractDates: (text, ref) => (
        seen.push(ref.toISOString()),
        text === "a" ? ["2026-03-13"] : ["2026-03-14"]
      ),
      datesMatch: (expected, actual) => JSON.stringify(expected) === JSON.stringify(actual),
    });
    expect(seen).toEqual(["2026-03-10T11:00:00.000Z", "2026-03-10T11:00:00.000Z"]);
    expect(summary).toEqual({ dates: { n: 2, accuracy: 0.5 } });
    expect(failures).toEqual([
      { kind: "dates", file: "f", line: 2, text: "b", expected: [], got: ["2026-03-14"] },
    ]);
  });

  it("scores ratings, null included, and reports only the kinds present", () => {
    const cases: EvalCase[] = [
      { kind: "rating", file: "f", line: 1, text: "5", rating: 5 },
      { kind: "rating", file: "f", line: 2, text: "?", rating: null },
      { kind: "rating", file: "f", line: 3, text: "fem", rating: 5 },
    ];
    const { summary } = evaluateCases(cases, {
      parseRating: (text) => (/^\d$/.test(text) ? Number(text) : null),
    });
    expect(summary).toEqual({ ratings: { n: 3, accuracy: 0.6667 } });
  });
});

describe("evaluation sets in test/eval", () => {
  const dir = join(import.meta.dirname, "../eval");
  const cases = readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .flatMap((name) => parseEvalLines(readFileSync(join(dir, name), "utf8"), name));

  // Floors a little below the measured figures (see data/nlu/README.md), so a regression fails.
  it("meets the accuracy floors", async () => {
    const classifier = await createIntentClassifier();
    const { summary } = evaluateCases(cases, {
      classify: (text) => classifier.classify(text),
      extractDates,
      datesMatch,
      parseRating,
    });
    expect(summary.intents!.n).toBeGreaterThanOrEqual(350);
    expect(summary.intents!.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(summary.intents!.wrongAnswerRate).toBeLessThanOrEqual(0.02);
    expect(summary.dates!.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(summary.ratings!.accuracy).toBeGreaterThanOrEqual(0.97);
  });
});
