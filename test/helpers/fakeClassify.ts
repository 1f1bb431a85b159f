import type { Classify } from "../../dialogs/services.js";

/**
 * A fixed table standing in for the classifier where a test is about transport, storage or
 * channels rather than understanding. Anything not listed is out of scope ("none").
 */
export function fakeClassify(table: Record<string, string>): Classify {
  return (text) => ({ intent: table[text.trim().toLowerCase()] ?? "none", score: 1 });
}

export const BASIC_INTENTS = fakeClassify({ hej: "greeting", hjælp: "help", tak: "thanks" });
