import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import i18next, { type TFunction } from "i18next";

export const LANGUAGES = ["da", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export type Translate = TFunction;

const LOCALES_DIR = fileURLToPath(new URL("../../locales/", import.meta.url));

function readLocale(language: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(`${LOCALES_DIR}${language}/translation.json`, "utf8")) as Record<
    string,
    unknown
  >;
}

/**
 * One i18next instance for the process. Danish is the default and the fallback: a key missing
 * in English shows the Danish text rather than a key name.
 */
export function createTranslations(): { t: (language: Language) => Translate } {
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: "da",
    fallbackLng: "da",
    supportedLngs: [...LANGUAGES],
    resources: Object.fromEntries(
      LANGUAGES.map((language) => [language, { translation: readLocale(language) }]),
    ),
    // Replies are plain text, SMS and Adaptive Card TextBlocks, never HTML.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const translators = new Map(LANGUAGES.map((language) => [language, instance.getFixedT(language)]));
  return { t: (language) => translators.get(language)! };
}
