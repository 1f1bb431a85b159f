/**
 * The Danish words the date grammar knows: weekdays, months, numbers, ordinals, day parts, and the
 * words around a number that make it a quantity or label rather than a date or time. Weekday and
 * month names are recognised with one typo ("torsdg", "febuar").
 */

/** A set from a space-separated word list: keeps the long vocabularies readable. */
function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/u).filter(Boolean));
}

const WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"];

/** Abbreviations count only when a date or time follows ("tors. 5/11", "fre kl 17"): "man" and "søn" are ordinary words. */
// prettier-ignore
export const WEEKDAY_ABBREVIATIONS: Record<string, number> = {
  man: 1, tir: 2, tirs: 2, ons: 3, tor: 4, tors: 4, fre: 5, lør: 6, lor: 6, søn: 7, son: 7,
};
/** Real words one typo away from a weekday, and plurals that mean "every such day". */
const NOT_WEEKDAYS = wordSet("fridag mandat mandage tirsdage onsdage torsdage fredage lørdage søndage");

// prettier-ignore
const MONTHS = [
  "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december",
];

// prettier-ignore
const MONTH_ALIASES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, mrt: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, okt: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, may: 5, june: 6, july: 7, october: 10,
};

// prettier-ignore
const NUMBER_WORDS: Record<string, number> = {
  en: 1, et: 1, én: 1, ét: 1, to: 2, tre: 3, fire: 4, fem: 5, seks: 6, syv: 7, otte: 8, ni: 9, ti: 10,
  elleve: 11, tolv: 12, tretten: 13, fjorten: 14, femten: 15, seksten: 16, sytten: 17, atten: 18, nitten: 19, tyve: 20,
};

// prettier-ignore
export const ORDINAL_WORDS: Record<string, number> = {
  første: 1, anden: 2, andet: 2, tredje: 3, fjerde: 4, femte: 5, sjette: 6, syvende: 7, ottende: 8, niende: 9,
  tiende: 10, ellevte: 11, tolvte: 12, trettende: 13, fjortende: 14, femtende: 15, sekstende: 16, syttende: 17,
  attende: 18, nittende: 19, tyvende: 20, enogtyvende: 21, toogtyvende: 22, treogtyvende: 23, fireogtyvende: 24,
  femogtyvende: 25, seksogtyvende: 26, syvogtyvende: 27, otteogtyvende: 28, niogtyvende: 29, tredivte: 30,
  enogtredivte: 31,
};
/** "den første"/"den anden" alone usually mean "the first/other one", so these need a month. */
export const ORDINALS_NEEDING_MONTH = wordSet("første anden andet");

export const PM_WORDS = wordSet("aften aftenen eftermiddag eftermiddagen em");
export const AM_WORDS = wordSet("morgen morgenen morges formiddag formiddagen fm tidlig");

/** Words after a number that make it a quantity, never a date or time. */
export const UNIT_WORDS = wordSet(`
  kr kroner dkk euro pct procent % mio mia millioner milliarder km kg g l liter cl ml m meter
  min minut minutter time timer times timers sek dage uger år gange point stjerne stjerner
  stk personer mennesker borgere deltagere børn af del dele
`);
/** Words before a number that make it a label ("punkt 3.4", "lokale 2.14", "kr. 14.50"), never a date or time. */
export const LABEL_WORDS = wordSet(
  "punkt pkt afsnit side kapitel paragraf § bilag nr lokale linje version rum sal spørgsmål bus kr dkk",
);
/** Nouns that turn "den 3." into an ordinal ("den 3. gang"), not a date. */
export const ORDINAL_NOUNS = wordSet(`
  gang gange samling samlingen borgersamling møde mødet plads pladsen klasse del punkt spørgsmål runde omgang
  time uge dag weekend sal etage side sæson version udgave række oplæg workshop person mand
`);
/** What joins days in a list or range: "14. og 21.", "14.-15.", "mandag eller tirsdag". */
export const LIST_JOINERS = wordSet("og eller el , - – & / til");
/** Words that may introduce a clock time without "kl.": "fra 10 til 16", "efter 16", "ved 17-tiden". */
export const CLOCK_PREPOSITIONS = wordSet("fra mellem ved omkring efter før inden senest indtil");
/** Words between a date and its time range ("lørdag fra 10 til 16"). */
export const DATE_TIME_GLUE = wordSet(", . fra mellem ca cirka omkring ved");
/** A message that judges something: there "4/5" or "8/10" is a score, not 4 May or 8 October. */
export const RATING_CONTEXT =
  /stjerne|point|ud af|karakter|rating|score|bedøm|vurder|anmeld|⭐|★|\b(giver?|gi'?r|fortjener|syntes|synes|klart|solid|oplæg\w*|dårlig\w*|super|fedt)\b/u;

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swapped neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** 1-based position of `word` in `names`, allowing one typo in words of five letters or more. */
function fuzzyIndex(word: string, names: readonly string[]): number | null {
  const exact = names.indexOf(word);
  if (exact >= 0) return exact + 1;
  if (word.length < 5) return null;
  const close = names.findIndex(
    (name) => Math.abs(name.length - word.length) <= 1 && editDistance(word, name) <= 1,
  );
  return close >= 0 ? close + 1 : null;
}

export function weekdayOf(word: string): number | null {
  return NOT_WEEKDAYS.has(word) ? null : fuzzyIndex(word, WEEKDAYS);
}

export function monthOf(word: string): number | null {
  return MONTH_ALIASES[word] ?? fuzzyIndex(word, MONTHS);
}

export function countOf(word: string): number | null {
  if (/^\d{1,3}$/.test(word)) return Number(word);
  return NUMBER_WORDS[word] ?? null;
}

export function hourWord(word: string): number | null {
  const hour = /^\d{1,2}$/.test(word) ? Number(word) : NUMBER_WORDS[word];
  return hour !== undefined && hour >= 1 && hour <= 12 ? hour : null;
}
