import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * Training the classifier takes seconds; loading a trained model takes milliseconds. The bot,
 * every test file and the CLI tools would otherwise retrain on each start. The cache key is a hash
 * of the corpus, the settings, the library versions and FEATURES_VERSION, all cheap to compute at
 * start. Each cached model also records the hash of what it was trained on (the features of every
 * utterance and its intent), so a test can tell when feature extraction changed but
 * FEATURES_VERSION did not.
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

export interface CachedModel {
  /** contentHash of the training input the model was trained on. */
  trainedOn: string;
  /** NLP.js's toJSON. */
  model: object;
}

export function contentHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/** The cached model for this key, or undefined when there is none or it cannot be read. */
export function readCachedModel(dir: string, key: string): CachedModel | undefined {
  try {
    const json: unknown = JSON.parse(readFileSync(join(dir, `${FILE_PREFIX}${key}.json`), "utf8"));
    const { trainedOn, model } = (json ?? {}) as Partial<Record<keyof CachedModel, unknown>>;
    if (typeof trainedOn !== "string" || typeof model !== "object" || model === null) return undefined;
    return { trainedOn, model };
  } catch {
    return undefined;
  }
}

/**
 * Stores the model and removes models of older corpora. Best effort: a read-only disk only costs
 * retraining. Written under a temporary name and renamed, so a parallel reader (test workers)
 * never sees half a file.
 */
export function writeCachedModel(dir: string, key: string, cached: CachedModel): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = `${FILE_PREFIX}${key}.json`;
    const temporary = join(dir, `${file}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(cached));
    renameSync(temporary, join(dir, file));
    for (const other of readdirSync(dir)) {
      if (other.startsWith(FILE_PREFIX) && other.endsWith(".json") && other !== file)
        rmSync(join(dir, other), { force: true });
    }
  } catch {
    // Caching is an optimisation; the trained model in memory is already usable.
  }
}
