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

/**
 * Words Twilio acts on itself on a long code: it answers them and blocks or unblocks the
 * number, so a reply of ours would be blocked or arrive twice. AFMELD and FRAMELD are ours.
 * With Advanced Opt-Out, Twilio also says which it matched in OptOutType (STOP, START, HELP),
 * which covers words an account adds there.
 */
const TWILIO_KEYWORDS: ReadonlyMap<string, SmsKeyword> = new Map([
  ...["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"].map(
    (word) => [word, "optout"] as const,
  ),
  ...["start", "unstop"].map((word) => [word, "optin"] as const),
  ...["help", "info"].map((word) => [word, "help"] as const),
]);

const OPT_OUT_TYPES: Readonly<Record<string, SmsKeyword>> = { STOP: "optout", START: "optin", HELP: "help" };

/** The keyword Twilio has already answered, or null when the reply is ours to give. */
export function matchTwilioKeyword(text: string, optOutType?: string): SmsKeyword | null {
  const fromTwilio = optOutType ? OPT_OUT_TYPES[optOutType.toUpperCase()] : undefined;
  return fromTwilio ?? TWILIO_KEYWORDS.get(foldDanish(text.replace(SURROUNDING_PUNCTUATION, ""))) ?? null;
}
