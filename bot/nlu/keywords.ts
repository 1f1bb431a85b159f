import { foldDanish } from "./normalize.js";

export type SmsKeyword = "optout" | "optin" | "help";

/**
 * Single-word SMS commands. Carriers and Twilio act on these words by convention, so they are
 * rules, never left to the classifier. "YES" is deliberately not an opt-in word here: members
 * answer invitations with "yes"/"ja", which is an RSVP.
 */
const KEYWORDS: ReadonlyMap<string, SmsKeyword> = new Map([
  ...["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "afmeld", "frameld"].map(
    (word) => [word, "optout"] as const,
  ),
  ...["start", "unstop"].map((word) => [word, "optin"] as const),
  // foldDanish turns "HJAELP" into "hjælp", so one entry covers both spellings.
  ...["help", "info", "hjælp"].map((word) => [word, "help"] as const),
]);

/** Punctuation around the word ("Stop.", "HELP?") does not change the command. */
const SURROUNDING_PUNCTUATION = /^[\p{P}\s]+|[\p{P}\s]+$/gu;

/** The protocol keyword the whole message consists of, or null when it is anything else. */
export function matchSmsKeyword(text: string): SmsKeyword | null {
  const word = foldDanish(text.replace(SURROUNDING_PUNCTUATION, ""));
  return KEYWORDS.get(word) ?? null;
}
