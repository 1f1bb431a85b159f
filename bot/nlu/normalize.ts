/**
 * Members without a Danish keyboard write "hvornaar", "moede", "koerestol". Folding those
 * digraphs back to æ/ø/å lets every later step (keywords, classifier, dates) see one spelling.
 */
const DIGRAPHS: ReadonlyArray<[RegExp, string]> = [
  [/aa/g, "å"],
  [/ae/g, "æ"],
  [/oe/g, "ø"],
];

/** Lowercase (Danish rules), Unicode NFC, and ae/oe/aa folded to æ/ø/å. Keeps punctuation and digits. */
export function foldDanish(text: string): string {
  let folded = text.normalize("NFC").toLocaleLowerCase("da-DK");
  for (const [pattern, letter] of DIGRAPHS) folded = folded.replace(pattern, letter);
  return folded;
}

/**
 * Members answer "👍" or "🙏" instead of words. The emoji that carry an intent become the
 * Danish word they stand for. Every other emoji (and skin tones, gender signs, joiners) is a
 * Unicode symbol, not a letter or digit, so NON_WORD removes it.
 */
const EMOJI_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/[\u{1F44D}\u{1F44C}\u{2705}\u{2714}]/gu, "ja"],
  [/[\u{1F44E}\u{274C}]/gu, "nej"],
  [/\u{1F937}/gu, "måske"],
  [/[\u{1F64F}\u{2764}\u{2665}]/gu, "tak"],
  [/\u{1F44B}/gu, "hej"],
];

/** "jaaaa", "neeej", "takkk": three or more of a letter is emphasis, not spelling. */
const STRETCHED_LETTER = /(\p{L})\1{2,}/gu;

/** Apostrophes join ("sms'er", "can't" → "smser", "cant") so both spellings meet. */
const APOSTROPHES = /['’`´]/g;

const NON_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * The text the intent classifier sees: emoji turned into words, stretched letters collapsed,
 * foldDanish applied, punctuation and other emoji removed, whitespace collapsed. Stretching
 * is collapsed before folding, so "jaaaa" becomes "ja" rather than "jåå".
 */
export function normalizeForIntent(text: string): string {
  let normalized = text.normalize("NFC");
  for (const [emoji, word] of EMOJI_WORDS) normalized = normalized.replace(emoji, ` ${word} `);
  normalized = normalized.toLocaleLowerCase("da-DK").replace(STRETCHED_LETTER, "$1");
  return foldDanish(normalized).replace(APOSTROPHES, "").replace(NON_WORD, " ").trim();
}
