import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isIntentId, type IntentId } from "./intentIds.js";

/** Training utterances per intent; the format of data/nlu/intents.da.json (see its README). */
export interface IntentCorpus {
  intents: Partial<Record<IntentId, readonly string[]>>;
}

export const DEFAULT_CORPUS_FILE = fileURLToPath(new URL("../../data/nlu/intents.da.json", import.meta.url));

/** Reads and checks a corpus file; a typo in an intent id fails here, not as a silent miss. */
export function loadIntentCorpus(file: string = DEFAULT_CORPUS_FILE): IntentCorpus {
  const json: unknown = JSON.parse(readFileSync(file, "utf8"));
  const intents = (json as { intents?: unknown } | null)?.intents;
  if (typeof intents !== "object" || intents === null || Array.isArray(intents)) {
    throw new Error(`${file}: expected an object {"intents": {"<intent id>": ["utterance", …]}}`);
  }
  for (const [intent, utterances] of Object.entries(intents)) {
    if (!isIntentId(intent)) throw new Error(`${file}: unknown intent id "${intent}"`);
    if (!Array.isArray(utterances) || !utterances.every((u) => typeof u === "string" && u.trim() !== "")) {
      throw new Error(`${file}: "${intent}" must be a list of non-empty strings`);
    }
  }
  return { intents: intents as IntentCorpus["intents"] };
}
