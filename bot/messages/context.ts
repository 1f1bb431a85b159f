import type { Assembly } from "../assembly/load.js";
import type { Language, Translate } from "../i18n/i18n.js";

/** What every message template needs to know. Templates are pure functions of this. */
export interface MessageContext {
  t: Translate;
  language: Language;
  assembly: Assembly;
  now: Date;
  /** SMS gets short texts with no buttons; chat channels get buttons. */
  sms: boolean;
}
