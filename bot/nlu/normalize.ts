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
