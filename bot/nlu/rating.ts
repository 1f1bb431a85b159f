/**
 * A member's 1–5 rating of a meeting, in whatever form they type it: "4", "fire", "4/5",
 * "4 ud af 5", "⭐⭐⭐⭐", "en 4'er", "en firer", "5 stjerner", "karakter 4", "3 - ok".
 *
 * Conservative by design, because a wrong rating is worse than asking again: the answer is `null`
 * when the message holds two different numbers ("4 eller 5", "4,5", "3-4"), a scale other than
 * five ("8/10"), a number outside 1–5, a question without an explicit rating form ("4?"), or a
 * number that is part of something else ("jeg har 3 spørgsmål", "d. 14/3", "kl. 4").
 */
import { foldDanish } from "./normalize.js";

// prettier-ignore
const NUMBER_WORDS: Record<string, string> = {
  to: "2", tre: "3", fire: "4", fem: "5", seks: "6", syv: "7", otte: "8", ni: "9", ti: "10",
};
/** "en"/"et" are also the indefinite article, so they count as one only before a unit or with an accent. */
const ONE = /(?<![\p{L}\d])(?:(?:én|ét|en|et)(?=\s*(?:stjerne|point|ud af|af 5|\/))|én|ét)(?![\p{L}\d])/gu;
/** A grade said as a noun: "en firer", "femmeren". */
const GRADE_NOUNS: Record<string, number> = { ener: 1, toer: 2, treer: 3, firer: 4, femmer: 5 };

/** "4/5", "4 ud af 5", "4 af 5": the "5" is the scale, not a second number. */
const OUT_OF_FIVE = /(\d+)\s*(?:\/|ud af|af)\s*5(?!\d)/gu;
const OUT_OF_FIVE_MARK = " udaffem";
/** Any other fraction ("8/10", "7 ud af 10", "14/3") is another scale or a date. */
const FRACTION = /\d\s*(?:\/|ud af|af)\s*\d/u;

/** Forms that say "this number is a rating"; each captures it in group 1. */
const EXPLICIT_FORMS: readonly RegExp[] = [
  new RegExp(`(\\d+)${OUT_OF_FIVE_MARK}`, "u"), // 4/5
  /(\d+)(?:\s*['’´`-]\s*|)(?:er|ere|eren)(?!\p{L})/u, // 4'er, 4er
  /(\d+)\s*-?\s*tal(?:let)?(?!\p{L})/u, // et 4-tal
  /(\d+)\s*(?:stjerner|stjerne|point|pt)(?!\p{L})/u, // 4 stjerner
  /(?:karakter(?:en)?|rating|score|vurdering|bedømmelse)\s*(?:er\s*|:\s*)?(\d+)/u, // karakter 4
  /(?:giver?|gi'?r)\s+(?:(?:det|den|dem|mødet|dagen|samlingen|jer|dig|jeg)\s+)*(?:(?:en|et)\s+)?(\d+)/u, // giver det en 4
];

/** Words that may surround a bare number in a rating reply ("jeg giver 4", "nok en 3", "4 helt klart"). */
const FILLER = wordSet(`
  jeg vil sige siger give giver gir gi nok tror klart helt bestemt ca cirka måske hmm øh altså faktisk
  en et så vel bare da ok okay tak hej mvh svar svarer stemmer min mit samlet set alt i lige nu mig fra
  det den er var må være bliver karakter karakteren rating mødet dagen samlingen til jer dig
`);
/** Judgement words that may follow a leading rating without a separator: "5 meget godt". */
const VERDICT_WORDS = wordSet(`
  godt god fint fin super dårligt dårlig meget rigtig virkelig middel mega elendigt fantastisk fedt
  kedeligt spændende lærerigt interessant ret lidt ikke
`);
/** After a leading number, these start a comment: "4 - godt oplæg", "3, men for langt", "5 fordi ...". */
const COMMENT_START = /^\s*(?:[-–—:,.!()]|(?:fordi|men|da|for)(?!\p{L}))/u;
/** Before a trailing rating, these end a comment: "godt møde, 4", "Tak for i dag! 5". */
const COMMENT_END = /(?:[,:!–—-]|\p{L}{3}\.)\s*$/u;

function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/u).filter(Boolean));
}

/** The rating a message gives, or `null` when it gives none or it is not certain. */
export function parseRating(text: string): number | null {
  const normalized = normalize(text);
  if (FRACTION.test(normalized) || /\d[.,]\d/u.test(normalized)) return null;
  const numbers = [...normalized.matchAll(/\d+/gu)].map((match) => Number(match[0]));
  const stars =
    [...normalized.matchAll(/⭐|★|🌟/gu)].length || (/^\*{1,5}$/u.test(normalized) ? normalized.length : 0);
  if (stars > 0) return starRating(stars, numbers);
  const explicit = explicitRating(normalized);
  if (explicit !== undefined)
    return explicit !== null && numbers.every((n) => n === explicit) ? inRange(explicit) : null;
  if (normalized.includes("?") || numbers.length !== 1) return null;
  return isBareReply(normalized) ? inRange(numbers[0]!) : null;
}

/** Lowercased, æøå folded, keycap and word numbers as digits, and "x ud af 5" marked so its 5 is not counted. */
function normalize(text: string): string {
  const plain = text.replace(/(\d)\uFE0F?\u20E3/gu, "$1").replace(/\uFE0F/gu, "");
  return foldDanish(plain)
    .trim()
    .replace(ONE, "1")
    .replace(/(?<![\p{L}\d])\p{L}+(?![\p{L}\d])/gu, (word) => NUMBER_WORDS[word] ?? gradeNoun(word) ?? word)
    .replace(OUT_OF_FIVE, `$1${OUT_OF_FIVE_MARK}`);
}

function gradeNoun(word: string): string | undefined {
  const grade = GRADE_NOUNS[word] ?? GRADE_NOUNS[word.replace(/en$/u, "")];
  return grade === undefined ? undefined : `${grade}'er`;
}

function inRange(value: number): number | null {
  return Number.isInteger(value) && value >= 1 && value <= 5 ? value : null;
}

/** "⭐⭐⭐⭐" is four; a single star next to one number is a unit ("4 ⭐"). */
function starRating(stars: number, numbers: number[]): number | null {
  if (stars === 1 && numbers.length === 1) return inRange(numbers[0]!);
  return numbers.every((number) => number === stars) ? inRange(stars) : null;
}

/** The value all explicit forms agree on; `undefined` when none matches, `null` when they disagree. */
function explicitRating(normalized: string): number | null | undefined {
  const values = new Set(EXPLICIT_FORMS.flatMap((form) => form.exec(normalized)?.[1] ?? []));
  if (values.size === 0) return undefined;
  return values.size === 1 ? Number([...values][0]) : null;
}

/**
 * A bare number is a rating only when it is the whole answer: among filler words only, or set
 * off from a comment by a separator ("4 - godt oplæg", "3, men for langt", "godt møde, 4").
 */
function isBareReply(normalized: string): boolean {
  const match = /^(.*?)\d+(.*)$/su.exec(normalized);
  if (!match) return false;
  const [, before = "", after = ""] = match;
  const wordsIn = (part: string): string[] => part.match(/\p{L}+/gu) ?? [];
  const afterIsFine = wordsIn(after).every((word) => FILLER.has(word) || VERDICT_WORDS.has(word));
  if (wordsIn(before).every((word) => FILLER.has(word))) return COMMENT_START.test(after) || afterIsFine;
  return COMMENT_END.test(before) && wordsIn(after).every((word) => FILLER.has(word));
}
