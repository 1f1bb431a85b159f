/**
 * Every intent the bot understands. The ids are fixed: dialogs branch on them and an external
 * evaluation scores them. `none` means out of scope or not understood well enough to answer.
 */
export const INTENT_IDS = [
  "rsvp.yes",
  "rsvp.no",
  "rsvp.maybe",
  "optout",
  "optin",
  "help",
  "handoff",
  "greeting",
  "thanks",
  "privacy.delete",
  "language.switch",
  "none",
  "faq.compensation",
  "faq.tax_benefits",
  "faq.schedule",
  "faq.location",
  "faq.transport",
  "faq.food",
  "faq.childcare",
  "faq.accessibility",
  "faq.preparation",
  "faq.absence_policy",
  "faq.selection",
  "faq.about",
  "faq.outcome",
  "faq.privacy",
  "faq.language",
  "faq.contact",
] as const;

export type IntentId = (typeof INTENT_IDS)[number];

const KNOWN = new Set<string>(INTENT_IDS);

export function isIntentId(value: string): value is IntentId {
  return KNOWN.has(value);
}
