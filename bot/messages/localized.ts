import type { LocalizedText } from "../assembly/schema.js";
import type { Language } from "../i18n/i18n.js";

/** The assembly's text in the member's language, falling back to Danish. */
export function localized(text: LocalizedText, language: Language): string {
  if (typeof text === "string") return text;
  return (language === "en" && text.en) || text.da;
}
