import { readFileSync } from "node:fs";
import {
  EvalLineError,
  evaluateCases,
  parseEvalLines,
  type EvalCase,
  type EvalFailure,
  type EvalSubjects,
} from "./evaluate.js";
import { formatLatency, summarizeLatency, timed } from "./latency.js";

/*
 * npm run eval -- FILE.jsonl [FILE2.jsonl …]
 * Prints one line per failure, the classification latency, and as its last line one JSON object
 * with the scores per kind. Exit code 2 for unusable input (missing file, bad line).
 */

const USAGE = "usage: npm run eval -- FILE.jsonl [FILE2.jsonl …]";

function readCases(files: string[]): EvalCase[] {
  return files.flatMap((file) => {
    let content: string;
    try {
      content = readFileSync(file, "utf8");
    } catch (error) {
      throw new EvalLineError(
        `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    return parseEvalLines(content, file);
  });
}

function formatFailure({ kind, file, line, text, expected, got, guess }: EvalFailure): string {
  const held = guess ? ` (held back: ${guess.intent} ${guess.score.toFixed(2)})` : "";
  return `FAIL ${kind} ${file}:${line} ${JSON.stringify(text)} expected ${JSON.stringify(expected)} got ${JSON.stringify(got)}${held}`;
}

/** Loads only the NLU parts the cases need: the classifier trains, the others load a recognizer. */
async function loadSubjects(kinds: Set<string>, classifyDurations: number[]): Promise<EvalSubjects> {
  const subjects: EvalSubjects = {};
  if (kinds.has("intent")) {
    const { createIntentClassifier } = await import("./intents.js");
    const started = performance.now();
    const classifier = await createIntentClassifier();
    console.log(`intent classifier ready in ${Math.round(performance.now() - started)} ms`);
    subjects.classify = timed((text: string) => classifier.classify(text), classifyDurations);
  }
  if (kinds.has("dates")) Object.assign(subjects, await import("./dates.js"));
  if (kinds.has("rating")) Object.assign(subjects, await import("./rating.js"));
  return subjects;
}

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let cases: EvalCase[];
  try {
    cases = readCases(files);
  } catch (error) {
    if (!(error instanceof EvalLineError)) throw error;
    console.error(error.message);
    return 2;
  }
  const classifyDurations: number[] = [];
  const subjects = await loadSubjects(new Set(cases.map((c) => c.kind)), classifyDurations);
  const { summary, failures } = evaluateCases(cases, subjects);
  for (const failure of failures) console.log(formatFailure(failure));
  if (classifyDurations.length > 0)
    console.log(formatLatency("classify", summarizeLatency(classifyDurations)));
  console.log(JSON.stringify(summary));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
