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
  const words = normalizeForIntent(text)
    .split(" ")
    .filter((word) => word !== "");
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
