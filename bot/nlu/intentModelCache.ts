import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * Training the classifier takes seconds; loading a trained model takes milliseconds. The bot,
 * every test file and the CLI tools would otherwise retrain on each start. The cache key is a hash
 * of everything training consumes (the features of every utterance, the intents, the settings and
 * the library version), so any change to the corpus or to feature extraction retrains by itself.
 */

/**
 * node_modules/.cache is where tools keep derived, disposable files; it is never committed. Found
 * through an installed package rather than relative to this file, so the sources (tsx, tests) and
 * the build in dist/ share one cache.
 */
export const DEFAULT_MODEL_CACHE_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@nlpjs/nlu/package.json")),
  "../../.cache/borgerbot/",
);

const FILE_PREFIX = "intent-model-";

export function modelCacheKey(trainingInput: unknown): string {
  return createHash("sha256").update(JSON.stringify(trainingInput)).digest("hex").slice(0, 32);
}

/** The cached model for this key, or undefined when there is none or it cannot be read. */
export function readCachedModel(dir: string, key: string): object | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, `${FILE_PREFIX}${key}.json`), "utf8")) as object;
  } catch {
    return undefined;
  }
}

/**
 * Stores the model and removes models of older corpora. Best effort: a read-only disk only costs
 * retraining. Written under a temporary name and renamed, so a parallel reader (test workers)
 * never sees half a file.
 */
export function writeCachedModel(dir: string, key: string, model: object): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = `${FILE_PREFIX}${key}.json`;
    const temporary = join(dir, `${file}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(model));
    renameSync(temporary, join(dir, file));
    for (const other of readdirSync(dir)) {
      if (other.startsWith(FILE_PREFIX) && other.endsWith(".json") && other !== file)
        rmSync(join(dir, other), { force: true });
    }
  } catch {
    // Caching is an optimisation; the trained model in memory is already usable.
  }
}
