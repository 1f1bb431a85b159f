import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extractDates } from "./dates.js";
import { parseEvalLines, type EvalCase } from "./evaluate.js";
import { createIntentClassifier } from "./intents.js";
import { formatLatency, summarizeLatency, timed } from "./latency.js";
import { parseRating } from "./rating.js";

/*
 * npm run bench: how long the intent classifier takes to train and to load from its cache, and
 * the per-message latency of classify, extractDates and parseRating over test/eval/*.jsonl.
 */

const EVAL_DIR = fileURLToPath(new URL("../../test/eval/", import.meta.url));
/** Every message is run this often, so JIT warm-up does not dominate the percentiles. */
const ROUNDS = 5;

function evalCases(): EvalCase[] {
  return readdirSync(EVAL_DIR)
    .filter((name) => name.endsWith(".jsonl"))
    .flatMap((name) => parseEvalLines(readFileSync(join(EVAL_DIR, name), "utf8"), name));
}

async function withDuration<T>(action: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await action();
  return [result, Math.round(performance.now() - started)];
}

function benchEach<C>(label: string, cases: C[], run: (testCase: C) => unknown): void {
  if (cases.length === 0) return;
  const durations: number[] = [];
  const timedRun = timed(run, durations);
  for (let round = 0; round < ROUNDS; round++) cases.forEach((testCase) => timedRun(testCase));
  console.log(formatLatency(label, summarizeLatency(durations)));
}

// A private cache directory: the first call must really train, the second must really load.
const cacheDir = mkdtempSync(join(tmpdir(), "borgerbot-bench-"));
try {
  const [, trainingMs] = await withDuration(() => createIntentClassifier({ cacheDir }));
  console.log(`intent classifier training: ${trainingMs} ms`);
  const [classifier, loadingMs] = await withDuration(() => createIntentClassifier({ cacheDir }));
  console.log(`intent classifier start from cache: ${loadingMs} ms`);

  const cases = evalCases();
  benchEach(
    "classify",
    cases.filter((c) => c.kind === "intent"),
    (c) => classifier.classify(c.text),
  );
  benchEach(
    "extractDates",
    cases.flatMap((c) => (c.kind === "dates" ? [c] : [])),
    (c) => extractDates(c.text, new Date(c.ref)),
  );
  benchEach(
    "parseRating",
    cases.filter((c) => c.kind === "rating"),
    (c) => parseRating(c.text),
  );
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
