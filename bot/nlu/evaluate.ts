import { isIntentId, type IntentId } from "./intentIds.js";

/*
 * Scoring for `npm run eval`: parses evaluation lines and scores them against the NLU functions
 * passed in. Pure (no files, no clock), so the tests can check the scoring itself.
 */

/** Where a case comes from, for failure messages. */
interface EvalSource {
  file: string;
  line: number;
}

export type EvalCase = EvalSource &
  (
    | { kind: "intent"; text: string; intent: IntentId }
    | { kind: "dates"; text: string; ref: string; dates: string[] }
    | { kind: "rating"; text: string; rating: number | null }
  );

export type EvalKind = EvalCase["kind"];

/** A line that is not a valid evaluation case; the message names the file and line. */
export class EvalLineError extends Error {}

/** The NLU under evaluation. Only the functions for kinds present in the cases are needed. */
export interface EvalSubjects {
  classify?: (text: string) => { intent: string; guess?: { intent: string; score: number } };
  extractDates?: (text: string, ref: Date) => string[];
  datesMatch?: (expected: string[], actual: string[]) => boolean;
  parseRating?: (text: string) => number | null;
}

export interface EvalFailure extends EvalSource {
  kind: EvalKind;
  text: string;
  expected: unknown;
  got: unknown;
  /** For intents answered "none" for lack of confidence: the candidate that was held back. */
  guess?: { intent: string; score: number };
}

export interface EvalSummary {
  intents?: { n: number; accuracy: number; wrongAnswerRate: number };
  dates?: { n: number; accuracy: number };
  ratings?: { n: number; accuracy: number };
}

export interface EvalResult {
  summary: EvalSummary;
  failures: EvalFailure[];
}

/** ISO 8601 with an explicit offset, so a reference instant never depends on the machine's zone. */
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

const EXPECTATION_KEYS = ["intent", "dates", "rating"] as const;

/** Parses one JSON-lines file; blank lines are skipped, anything else must be a valid case. */
export function parseEvalLines(content: string, file: string): EvalCase[] {
  return content
    .split(/\r?\n/)
    .flatMap((raw, index) => (raw.trim() === "" ? [] : [parseEvalLine(raw, file, index + 1)]));
}

function parseEvalLine(raw: string, file: string, line: number): EvalCase {
  function fail(problem: string): never {
    throw new EvalLineError(`${file}:${line}: ${problem}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    fail("not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("expected a JSON object");
  const record = json as Record<string, unknown>;
  const { text } = record;
  if (typeof text !== "string") fail('missing "text" (a string)');
  const present = EXPECTATION_KEYS.filter((key) => key in record);
  if (present.length !== 1) fail('expected exactly one of "intent", "dates", "rating"');

  if (present[0] === "intent") {
    const { intent } = record;
    if (typeof intent !== "string" || !isIntentId(intent))
      fail(`unknown intent id ${JSON.stringify(intent)}`);
    return { kind: "intent", file, line, text, intent };
  }
  if (present[0] === "dates") {
    const { dates, ref } = record;
    if (!Array.isArray(dates) || !dates.every((d): d is string => typeof d === "string")) {
      fail('"dates" must be a list of strings');
    }
    if (typeof ref !== "string" || !ISO_WITH_OFFSET.test(ref) || Number.isNaN(Date.parse(ref))) {
      fail('"dates" needs "ref": an ISO timestamp with offset, e.g. "2026-03-10T12:00:00+01:00"');
    }
    return { kind: "dates", file, line, text, ref, dates };
  }
  const { rating } = record;
  if (
    rating !== null &&
    !(typeof rating === "number" && Number.isInteger(rating) && rating >= 1 && rating <= 5)
  ) {
    fail('"rating" must be an integer 1–5 or null');
  }
  return { kind: "rating", file, line, text, rating };
}

function required<T>(subject: T | undefined, name: string): T {
  if (subject === undefined) throw new Error(`evaluating these cases needs ${name}`);
  return subject;
}

/** Runs every case and scores it; the summary has a key only for each kind present. */
export function evaluateCases(cases: readonly EvalCase[], subjects: EvalSubjects): EvalResult {
  const failures: EvalFailure[] = [];
  const counts = { intent: 0, dates: 0, rating: 0 };
  const correct = { intent: 0, dates: 0, rating: 0 };
  let wrongAnswers = 0;

  for (const testCase of cases) {
    counts[testCase.kind] += 1;
    const { kind, file, line, text } = testCase;
    if (kind === "intent") {
      const result = required(subjects.classify, "classify")(text);
      if (result.intent === testCase.intent) correct.intent += 1;
      else {
        // A wrong answer is any other intent; "none" hands over to a person instead.
        if (result.intent !== "none") wrongAnswers += 1;
        failures.push({
          kind,
          file,
          line,
          text,
          expected: testCase.intent,
          got: result.intent,
          ...(result.guess && { guess: result.guess }),
        });
      }
    } else if (kind === "dates") {
      const got = required(subjects.extractDates, "extractDates")(text, new Date(testCase.ref));
      if (required(subjects.datesMatch, "datesMatch")(testCase.dates, got)) correct.dates += 1;
      else failures.push({ kind, file, line, text, expected: testCase.dates, got });
    } else {
      const got = required(subjects.parseRating, "parseRating")(text);
      if (got === testCase.rating) correct.rating += 1;
      else failures.push({ kind, file, line, text, expected: testCase.rating, got });
    }
  }

  const share = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;
  const summary: EvalSummary = {};
  if (counts.intent > 0) {
    summary.intents = {
      n: counts.intent,
      accuracy: share(correct.intent, counts.intent),
      wrongAnswerRate: share(wrongAnswers, counts.intent),
    };
  }
  if (counts.dates > 0) summary.dates = { n: counts.dates, accuracy: share(correct.dates, counts.dates) };
  if (counts.rating > 0)
    summary.ratings = { n: counts.rating, accuracy: share(correct.rating, counts.rating) };
  return { summary, failures };
}
