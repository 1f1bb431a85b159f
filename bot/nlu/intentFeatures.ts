import type { NluFeatures } from "@nlpjs/nlu";
import { normalizeForIntent } from "./normalize.js";

/*
 * The bag of features NLP.js's neural classifier sees for one message. Weights are relative to a
 * whole word (1). Measured on the dev set, each kind earns its place:
 *  - stemmed words carry most of the meaning;
 *  - word bigrams tell "ja tak" (an RSVP) from "tak" (thanks), and "nej tak" from "tak";
 *  - character trigrams let misspelt or unseen inflections ("kørselsgodgørelse") still match.
 */
const BIGRAM_WEIGHT = 0.5;
const TRIGRAM_WEIGHT = 0.3;
/** Shorter words are mostly function words whose trigrams would only add noise. */
const MIN_TRIGRAM_WORD_LENGTH = 4;

/**
 * The trained model is cached under a key that includes this number, not the features
 * themselves (computing those for every training utterance costs each start 0.24 s). Bump it
 * whenever this file or normalizeForIntent changes what features a text has; a test in
 * test/nlu/intents.test.ts fails when the cached model disagrees with the code.
 */
export const FEATURES_VERSION = 1;

export type StemWord = (word: string) => string;
/** Maps each stem to the nearest stem seen in training; identity while training. */
export type CorrectStems = (stems: string[]) => string[];

const keepStems: CorrectStems = (stems) => stems;

/**
 * Members without æ/ø/å write "mode" for "møde" and "korestol" for "kørestol"; foldDanish only
 * repairs the "oe"/"aa" spellings. Reducing æ/ø/å to e/o/a in features makes all spellings meet.
 */
function skeleton(word: string): string {
  return word.replace(/æ/g, "e").replace(/ø/g, "o").replace(/å/g, "a");
}

/*
 * Letters from older members open with "Kære arrangører" and close with "Med venlig hilsen Inger
 * Hansen". The salutation and sign-off say nothing about the topic, and the name is a word no
 * corpus can know, so the unknown-word guard of intents.ts would hold back an otherwise clear
 * message. Both are dropped: a sign-off word among the last few words together with everything
 * after it (the name) and the courtesy words before it, and "kære"/"dear" with the word after
 * it at the start, unless that would leave nothing.
 */
const SIGN_OFFS = new Set(["mvh", "vh", "kh", "hilsen", "hilsner", "regards"]);
const SIGN_OFF_LEADS = new Set([
  "med",
  "venlig",
  "venligst",
  "kærlig",
  "de",
  "bedste",
  "mange",
  "kind",
  "best",
]);
/** At most this many words (a name) may follow the sign-off word. */
const MAX_NAME_WORDS = 3;
const SALUTATIONS = new Set(["kære", "dear"]);

function withoutLetterFrame(words: string[]): string[] {
  let end = words.length;
  for (let i = Math.max(0, words.length - 1 - MAX_NAME_WORDS); i < words.length; i++) {
    if (!SIGN_OFFS.has(words[i])) continue;
    end = i;
    while (end > 0 && SIGN_OFF_LEADS.has(words[end - 1])) end--;
    break;
  }
  const start = SALUTATIONS.has(words[0]) && end > 2 ? 2 : 0;
  return end > start ? words.slice(start, end) : words;
}

/** The words of a message as the classifier reads them, each with its (corrected) stem. */
export interface IntentWords {
  words: string[];
  stems: string[];
}

export function intentWords(
  text: string,
  stemWord: StemWord,
  correctStems: CorrectStems = keepStems,
): IntentWords {
  const words = withoutLetterFrame(
    normalizeForIntent(text)
      .split(" ")
      .filter((word) => word !== ""),
  );
  return { words, stems: correctStems(words.map((word) => skeleton(stemWord(word)))) };
}

export function featuresOf({ words, stems }: IntentWords): NluFeatures {
  const features: NluFeatures = {};
  stems.forEach((stem, i) => {
    features[stem] = 1;
    if (i > 0) features[`${stems[i - 1]}_${stem}`] = BIGRAM_WEIGHT;
  });
  for (const word of words) {
    if (word.length < MIN_TRIGRAM_WORD_LENGTH) continue;
    const marked = `<${skeleton(word)}>`;
    for (let i = 0; i + 3 <= marked.length; i++) features[`#${marked.slice(i, i + 3)}`] = TRIGRAM_WEIGHT;
  }
  return features;
}

export function intentFeatures(
  text: string,
  stemWord: StemWord,
  correctStems: CorrectStems = keepStems,
): NluFeatures {
  return featuresOf(intentWords(text, stemWord, correctStems));
}
