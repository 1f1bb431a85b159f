/**
 * Dates and times in members' Danish messages ("på lørdag", "d. 14/3 kl. 17", "i morgen halv ti").
 *
 * The Microsoft recognizer has no Danish model, so this module is a Danish layer in front of its
 * English one: a small tokenizer-driven grammar finds the Danish expressions, rewrites each as an
 * unambiguous English phrase ("14 March at 5:30pm", "next tuesday", "in 3 days") and lets the
 * recognizer resolve it against the reference time. Only recognised fragments are sent, never the
 * whole message, so Danish words that happen to be English date words ("to", "man", "jan") and
 * bare numbers ("2 børn", "500 kr") never reach it.
 *
 * Rules chosen where Danish is ambiguous:
 * - Day before month always: "14/3", "14.3", "14-03-2027" are 14 March.
 * - A date without a year is its next occurrence; today counts. A bare day ("d. 14.") is this
 *   month's if not passed, else the next month that has that day. A weekday ("på lørdag") is the
 *   coming one, today included; "næste lørdag" is Saturday of next (Monday-based) week;
 *   "i lørdags"/"sidste lørdag" is the most recent past Saturday.
 * - "D.M" is a date when it is a valid day and month ("10.12"), otherwise a time ("17.30");
 *   after "kl." it is always a time, and right after "i dag"/"i morgen" a time wins too.
 * - Hours 1–7 without a day-part word mean afternoon/evening (assemblies meet weekday evenings
 *   17–21 and Saturdays 10–16, so "kl. 6" is 18:00 and "halv otte" 19:30); 8–12 are taken as
 *   written. "aften"/"eftermiddag" force PM, "morgen"/"formiddag"/"tidlig" force AM, and a
 *   leading zero ("07.30") means the clock was written in 24-hour form.
 * - A time belongs to the nearest date in the message that has no time yet; a time with no date
 *   at all is its next occurrence (today if still ahead, else tomorrow).
 * - Clock times need "kl."/"klokken", a spoken form ("halv ti"), a colon ("17:30"), a dotted
 *   daytime hour with round minutes ("17.30", not "lokale 2.14"), a 24-hour hour after a
 *   preposition ("efter 16"), or a range right after a date ("lørdag 10-16").
 * - "om 2 timer" counts real elapsed time (DST-safe); "om 3 dage"/"om en uge" count calendar days.
 * - Not dates: bare numbers, quantities and labels ("2 børn", "2.5 timer", "kr. 14.50",
 *   "punkt 3.4"), phone numbers, fractions ("1/2 time", "3/4 af dem"), and "x/5" or "x/10"
 *   said as a score: in a message about ratings ("4/5 stjerner", "jeg giver 4/5"), after "var"
 *   or before "!"/an emoji. Recurring days ("hver tirsdag", "tirsdage") and periods ("i næste
 *   uge", "i marts", "weekenden", "i påsken") are not single dates. Fixed and Easter-based
 *   holidays ("juleaften", "2. påskedag") are.
 */
import { Culture, DateTimeRecognizer, type IDateTimeModel } from "@microsoft/recognizers-text-date-time";
import { foldDanish } from "./normalize.js";

// ---------------------------------------------------------------- vocabulary

/** A set from a space-separated word list: keeps the long vocabularies readable. */
function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/u).filter(Boolean));
}

const WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"];
const WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/** Abbreviations count only when a date or time follows ("tors. 5/11", "fre kl 17"): "man" and "søn" are ordinary words. */
// prettier-ignore
const WEEKDAY_ABBREVIATIONS: Record<string, number> = {
  man: 1, tir: 2, tirs: 2, ons: 3, tor: 4, tors: 4, fre: 5, lør: 6, lor: 6, søn: 7, son: 7,
};
/** Real words one typo away from a weekday, and plurals that mean "every such day". */
const NOT_WEEKDAYS = wordSet("fridag mandat mandage tirsdage onsdage torsdage fredage lørdage søndage");

// prettier-ignore
const MONTHS = [
  "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december",
];
// prettier-ignore
const MONTHS_EN = [
  "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
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
const ORDINAL_WORDS: Record<string, number> = {
  første: 1, anden: 2, andet: 2, tredje: 3, fjerde: 4, femte: 5, sjette: 6, syvende: 7, ottende: 8, niende: 9,
  tiende: 10, ellevte: 11, tolvte: 12, trettende: 13, fjortende: 14, femtende: 15, sekstende: 16, syttende: 17,
  attende: 18, nittende: 19, tyvende: 20, enogtyvende: 21, toogtyvende: 22, treogtyvende: 23, fireogtyvende: 24,
  femogtyvende: 25, seksogtyvende: 26, syvogtyvende: 27, otteogtyvende: 28, niogtyvende: 29, tredivte: 30,
  enogtredivte: 31,
};
/** "den første"/"den anden" alone usually mean "the first/other one", so these need a month. */
const ORDINALS_NEEDING_MONTH = wordSet("første anden andet");

/** Danish holidays: a fixed [day, month], or days after Easter Sunday. "2. juledag" is the day after. */
type Holiday = { fixed: [number, number] } | { afterEaster: number };
// prettier-ignore
const HOLIDAYS: Record<string, Holiday> = {
  nytårsdag: { fixed: [1, 1] }, valentinsdag: { fixed: [14, 2] }, grundlovsdag: { fixed: [5, 6] },
  sankthans: { fixed: [23, 6] }, sankthansaften: { fixed: [23, 6] }, halloween: { fixed: [31, 10] },
  mortensaften: { fixed: [10, 11] }, lillejuleaften: { fixed: [23, 12] }, juleaften: { fixed: [24, 12] },
  juleaftensdag: { fixed: [24, 12] }, juledag: { fixed: [25, 12] }, nytårsaften: { fixed: [31, 12] },
  skærtorsdag: { afterEaster: -3 }, langfredag: { afterEaster: -2 }, påskedag: { afterEaster: 0 },
  påskesøndag: { afterEaster: 0 }, påskemandag: { afterEaster: 1 }, himmelfartsdag: { afterEaster: 39 },
  himmelfart: { afterEaster: 39 }, pinsedag: { afterEaster: 49 }, pinsesøndag: { afterEaster: 49 },
  pinsemandag: { afterEaster: 50 },
};

const PM_WORDS = wordSet("aften aftenen eftermiddag eftermiddagen em");
const AM_WORDS = wordSet("morgen morgenen morges formiddag formiddagen fm tidlig");

/** Words after a number that make it a quantity, never a date or time. */
const UNIT_WORDS = wordSet(`
  kr kroner dkk euro pct procent % mio mia millioner milliarder km kg g l liter cl ml m meter
  min minut minutter time timer times timers sek dage uger år gange point stjerne stjerner
  stk personer mennesker borgere deltagere børn af del dele
`);
/** Words before a number that make it a label ("punkt 3.4", "lokale 2.14", "kr. 14.50"), never a date or time. */
const LABEL_WORDS = wordSet(
  "punkt pkt afsnit side kapitel paragraf § bilag nr lokale linje version rum sal spørgsmål bus kr dkk",
);
/** Nouns that turn "den 3." into an ordinal ("den 3. gang"), not a date. */
const ORDINAL_NOUNS = wordSet(`
  gang gange samling samlingen borgersamling møde mødet plads pladsen klasse del punkt spørgsmål runde omgang
  time uge dag weekend sal etage side sæson version udgave række oplæg workshop person mand
`);
/** What joins days in a list or range: "14. og 21.", "14.-15.", "mandag eller tirsdag". */
const LIST_JOINERS = wordSet("og eller el , - – & / til");
/** Words that may introduce a clock time without "kl.": "fra 10 til 16", "efter 16", "ved 17-tiden". */
const CLOCK_PREPOSITIONS = wordSet("fra mellem ved omkring efter før inden senest indtil");
/** Words between a date and its time range ("lørdag fra 10 til 16"). */
const DATE_TIME_GLUE = wordSet(", . fra mellem ca cirka omkring ved");
/** A message that judges something: there "4/5" or "8/10" is a score, not 4 May or 8 October. */
const RATING_CONTEXT =
  /stjerne|point|ud af|karakter|rating|score|bedøm|vurder|anmeld|⭐|★|\b(giver?|gi'?r|fortjener|syntes|synes|klart|solid|oplæg\w*|dårlig\w*|super|fedt)\b/u;

// ---------------------------------------------------------------- wall clock

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
}

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date and clock time that `instant` shows in `timeZone`. */
function wallClock(instant: Date, timeZone: string): WallClock {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    wallClockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value);
  const [year, month, day] = [field("year"), field("month"), field("day")];
  const weekday = ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
  return { year, month, day, hour: field("hour"), minute: field("minute"), weekday };
}

/**
 * The recognizer reads the reference Date through its local-time getters, so it gets a Date whose
 * local fields are the Copenhagen wall clock, whatever process.env.TZ is. Its results are local
 * wall-clock strings too, and calendar arithmetic ("i morgen" across a DST change) stays calendar.
 */
function recognizerReference(wall: WallClock): Date {
  return new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// ---------------------------------------------------------------- tokens

interface Token {
  text: string;
  kind: "word" | "num" | "punct";
  start: number;
  end: number;
}

/** Words, digit groups with their inner separators ("14/3-2027", "9.30", "10:00-16:00"), and single other characters. */
const TOKEN_PATTERN = /(\p{L}+)|(\d+(?:[.:/-]\d+)*)|(\S)/gu;

function tokenize(text: string): Token[] {
  return [...text.matchAll(TOKEN_PATTERN)].map((match) => ({
    text: match[0],
    kind: match[1] ? "word" : match[2] ? "num" : "punct",
    start: match.index,
    end: match.index + match[0].length,
  }));
}

// ---------------------------------------------------------------- mentions

type DayPart = "am" | "pm";

interface DateMention {
  kind: "date";
  start: number;
  end: number;
  /** English phrase the recognizer resolves to a date, or to a datetime when `timed`. */
  english: string;
  timed?: boolean;
  dayPart?: DayPart;
  /** "i dag"/"i morgen": a following "9.10" is a time, not 9 October. */
  relativeDay?: boolean;
}

interface TimeMention {
  kind: "time";
  start: number;
  end: number;
  hour: number;
  minute: number;
  /** Written so that AM/PM is settled: 24-hour ("17.30"), a leading zero ("07.30") or midnight. */
  fixed: boolean;
  dayPart?: DayPart;
}

type Mention = DateMention | TimeMention;

interface Parsed {
  mentions: Mention[];
  next: number;
}

interface Scan {
  tokens: Token[];
  wall: WallClock;
  ref: Date;
  timeZone: string;
  ratingContext: boolean;
  mentions: Mention[];
  /** Token index just past the last date mention, to recognise "lørdag 10-16" as a time range. */
  lastDateEnd: number;
}

function text(scan: Scan, index: number): string {
  return scan.tokens[index]?.text ?? "";
}

function isWord(scan: Scan, index: number, ...words: string[]): boolean {
  return words.includes(text(scan, index));
}

function span(scan: Scan, from: number, to: number): { start: number; end: number } {
  return { start: scan.tokens[from]!.start, end: scan.tokens[to - 1]!.end };
}

/** Whether `words` follow one another from `index`. */
function phraseAt(scan: Scan, index: number, ...words: string[]): boolean {
  return words.every((word, offset) => text(scan, index + offset) === word);
}

/** Index after an optional "." (Danish abbreviations and ordinals: "d.", "kl.", "14."). */
function skipDot(scan: Scan, index: number): number {
  return text(scan, index) === "." ? index + 1 : index;
}

// ---------------------------------------------------------------- fuzzy words

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

function weekdayOf(word: string): number | null {
  return NOT_WEEKDAYS.has(word) ? null : fuzzyIndex(word, WEEKDAYS);
}

function monthOf(word: string): number | null {
  return MONTH_ALIASES[word] ?? fuzzyIndex(word, MONTHS);
}

function countOf(word: string): number | null {
  if (/^\d{1,3}$/.test(word)) return Number(word);
  return NUMBER_WORDS[word] ?? null;
}

// ---------------------------------------------------------------- numbers

interface DayMonth {
  day: number;
  month: number;
  year?: number;
}

function validDayMonth(day: number, month: number, year?: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year ?? 2028, month);
}

function fullYear(digits: string): number | undefined {
  if (digits.length === 2) return 2000 + Number(digits);
  if (digits.length === 4) return Number(digits);
  return undefined;
}

/** Numeric dates, day first: "14/3", "14.3", "14/3/27", "14/3-2027", "14-03-2027", "14.03.2027", "2026-03-14". */
function numericDate(token: string, allowDayDashMonth: boolean): DayMonth | null {
  const parts = token.split(/[.:/-]/);
  const separators = token.replace(/\d/g, "");
  if (parts.some((part) => part.length > 4)) return null;
  const short = (part: string | undefined): boolean => part !== undefined && part.length <= 2;
  let date: DayMonth | null = null;
  if (
    parts.length === 2 &&
    (separators === "/" || separators === "." || (separators === "-" && allowDayDashMonth))
  ) {
    if (short(parts[0]) && short(parts[1])) date = { day: Number(parts[0]), month: Number(parts[1]) };
  } else if (parts.length === 3 && ["//", "..", "--", "/-", ".-"].includes(separators)) {
    if (parts[0]!.length === 4 && separators === "--") {
      date = { day: Number(parts[2]), month: Number(parts[1]), year: Number(parts[0]) };
    } else if (short(parts[0]) && short(parts[1])) {
      const year = fullYear(parts[2]!);
      if (year !== undefined) date = { day: Number(parts[0]), month: Number(parts[1]), year };
    }
  }
  return date && validDayMonth(date.day, date.month, date.year) ? date : null;
}

interface ClockTime {
  hour: number;
  minute: number;
  fixed: boolean;
}

/** "17", "9.30", "17:30", "07.30", and after "kl." also "930"/"1730". A range "17-21" gives its start. */
function numericTime(token: string, compactAllowed: boolean): ClockTime | null {
  const first = token.split("-")[0]!;
  let match = /^(\d{1,2})(?:[.:](\d{2}))?$/.exec(first);
  if (!match && compactAllowed) match = /^(\d{1,2})(\d{2})$/.exec(first);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return null;
  const fixed = hour >= 13 || hour === 0 || hour === 24 || match[1]!.startsWith("0");
  return { hour: hour % 24, minute, fixed };
}

function hourWord(word: string): number | null {
  const hour = /^\d{1,2}$/.test(word) ? Number(word) : NUMBER_WORDS[word];
  return hour !== undefined && hour >= 1 && hour <= 12 ? hour : null;
}

/** A number followed by a unit ("2 børn", "2.5 timer") or after a label ("kr. 14.50", "punkt 3.4") is no date or time. */
function isQuantity(scan: Scan, index: number): boolean {
  const after = skipDot(scan, index + 1);
  const before = index >= 2 && text(scan, index - 1) === "." ? index - 2 : index - 1;
  return (
    UNIT_WORDS.has(text(scan, after)) || LABEL_WORDS.has(text(scan, before)) || text(scan, index + 1) === "%"
  );
}

// ---------------------------------------------------------------- date grammar

function dateMention(
  scan: Scan,
  from: number,
  to: number,
  english: string,
  extra: Partial<DateMention> = {},
): DateMention {
  return { kind: "date", ...span(scan, from, to), english, ...extra };
}

function englishDate({ day, month, year }: DayMonth): string {
  return `${day} ${MONTHS_EN[month - 1]}${year === undefined ? "" : ` ${year}`}`;
}

/** "aften", "i aften", "om morgenen" after a day: which half of the day its times are in. */
function dayPartAt(scan: Scan, index: number): { dayPart?: DayPart; next: number } {
  const at = isWord(scan, index, "om", "i") && !isWord(scan, index + 1, "morgen") ? index + 1 : index;
  const word = text(scan, at);
  if (PM_WORDS.has(word)) return { dayPart: "pm", next: at + 1 };
  if (AM_WORDS.has(word)) return { dayPart: "am", next: at + 1 };
  return { next: index };
}

const RELATIVE_DAYS: ReadonlyArray<[RegExp, string, DayPart?]> = [
  [/^i ?dag$/, "today"],
  [/^i ?(morgen|morgn|morgne|mogen|morn|mårn|moren|mårgen|mrg)$/, "tomorrow"],
  [/^(i ?)?overmorgen$/, "the day after tomorrow"],
  [/^i ?går$/, "yesterday"],
  [/^(i ?)?forgårs?$/, "the day before yesterday"],
  [/^i ?aften$/, "today", "pm"],
  [/^i ?eftermiddag$/, "today", "pm"],
  [/^i ?nat$/, "today"],
  [/^i ?formiddag$/, "today", "am"],
  [/^i ?morges$/, "today", "am"],
];

/** "i dag", "imorgen", "i overmorgen", "i går", "i aften", optionally followed by "tidlig"/"aften". */
function parseRelativeDay(scan: Scan, index: number): Parsed | null {
  for (const length of [2, 1]) {
    const tokens = scan.tokens.slice(index, index + length);
    if (tokens.length < length || tokens.some((token) => token.kind !== "word")) continue;
    const phrase = tokens.map((token) => token.text).join(" ");
    const rule = RELATIVE_DAYS.find(([pattern]) => pattern.test(phrase));
    if (!rule) continue;
    const part = dayPartAt(scan, index + length);
    const dayPart = rule[2] ?? part.dayPart;
    const mention = dateMention(scan, index, part.next, rule[1], {
      relativeDay: true,
      ...(dayPart ? { dayPart } : {}),
    });
    return { mentions: [mention], next: part.next };
  }
  return null;
}

/** Durations said in words, in minutes: "om en halv time", "om et kvarter". */
const SPOKEN_DURATIONS: ReadonlyArray<[string[], number]> = [
  [["en", "halv", "time"], 30],
  [["et", "kvarter"], 15],
  [["halvanden", "time"], 90],
];

/** "om 3 dage", "om en uge", "om 14 dage", "om en måned", "om 2 timer". */
function parseInDuration(scan: Scan, index: number): Parsed | null {
  if (!isWord(scan, index, "om")) return null;
  const at = isWord(scan, index + 1, "ca", "cirka", "omkring") ? skipDot(scan, index + 2) : index + 1;
  const spoken = SPOKEN_DURATIONS.find(([words]) => phraseAt(scan, at, ...words));
  if (spoken) return instantMention(scan, index, at + spoken[0].length, spoken[1]);
  const count = countOf(text(scan, at));
  const unit = text(scan, at + 1);
  if (count === null || count < 1) return null;
  let next = at + 2;
  if (isWord(scan, next, "tid")) next++; // "om en uges tid"
  let english: string;
  if (/^(dag|dage|dages|døgn)$/.test(unit)) english = `in ${count} days`;
  else if (/^(uge|uger|uges)$/.test(unit)) return weeksAhead(scan, index, next, count);
  else if (/^(måned|måneder|måneds|md|mdr)$/.test(unit)) english = `${count} month later`;
  else if (/^(time|timer)$/.test(unit)) return instantMention(scan, index, next, count * 60);
  else if (/^(minut|minutter|min)$/.test(unit)) return instantMention(scan, index, next, count);
  else return null;
  return { mentions: [dateMention(scan, index, next, english)], next };
}

/** "om en uge", and "om en uge på torsdag": the Thursday of that week. */
function weeksAhead(scan: Scan, from: number, next: number, weeks: number): Parsed {
  const dayAt = isWord(scan, next, "på") ? next + 1 : next;
  const day = weekdayAt(scan, dayAt);
  const days = day && !day.past ? daysUntil(scan, day.weekday) + 7 * weeks : 7 * weeks;
  const end = day && !day.past ? dayAt + 1 : next;
  return { mentions: [dateMention(scan, from, end, `in ${days} days`)], next: end };
}

/** "om 2 timer": real elapsed time, so it is counted on the instant and read back on the wall clock (DST-safe). */
function instantMention(scan: Scan, from: number, next: number, minutes: number): Parsed {
  const wall = wallClock(new Date(scan.ref.getTime() + minutes * 60_000), scan.timeZone);
  const english = `${englishDate(wall)} at ${englishTime(wall.hour, wall.minute)}`;
  return { mentions: [dateMention(scan, from, next, english, { timed: true })], next };
}

/** Days from today until the coming `weekday`, today counting as coming. */
function daysUntil(scan: Scan, weekday: number): number {
  return (weekday - scan.wall.weekday + 7) % 7;
}

type WeekRelation = "coming" | "next" | "last";

/**
 * "på lørdag", "næste tirsdag", "i lørdags", "fredag aften", "tors. 5/11 kl 17", and lists sharing
 * their words: "tirsdag eller onsdag i næste uge" puts both days in next week.
 */
function parseWeekday(scan: Scan, index: number): Parsed | null {
  let at = isWord(scan, index, "på") ? index + 1 : index;
  let relation: WeekRelation = "coming";
  const leadingWeek = weekModifier(scan, at); // "næste uge tirsdag", "i næste uge på tirsdag"
  if (leadingWeek.relation !== undefined && leadingWeek.weeks === 0) {
    relation = leadingWeek.relation;
    at = isWord(scan, leadingWeek.next, "på") ? leadingWeek.next + 1 : leadingWeek.next;
  } else if (isWord(scan, at, "næste", "kommende", "førstkommende", "denne")) {
    relation = isWord(scan, at, "næste") ? "next" : "coming";
    at++;
  } else if (isWord(scan, at, "sidste", "forrige")) {
    relation = "last";
    at++;
  }
  const days: Array<{ weekday: number; token: number }> = [];
  for (let found = weekdayAt(scan, at); found;) {
    if (found.past) relation = "last";
    days.push({ weekday: found.weekday, token: at });
    const after = skipDot(scan, at + 1);
    found = LIST_JOINERS.has(text(scan, after)) ? weekdayAt(scan, after + 1) : null;
    at = after + 1;
  }
  const last = days.at(-1);
  if (!last) return null;
  const next = skipDot(scan, last.token + 1);
  if (days.length === 1 && startsExplicitDate(scan, isWord(scan, next, ",") ? next + 1 : next))
    return { mentions: [], next };
  const week = weekModifier(scan, next);
  const part = dayPartAt(scan, week.next);
  const mentions = days.map(({ weekday, token }) => {
    const english = weekdayEnglish(scan, weekday, week.relation ?? relation, week.weeks);
    return dateMention(scan, token, token + 1, english, part.dayPart ? { dayPart: part.dayPart } : {});
  });
  return { mentions, next: part.next };
}

/** The weekday at `at`, including the past form "i tirsdags"; `null` for habits and plain words. */
function weekdayAt(scan: Scan, at: number): { weekday: number; past: boolean } | null {
  if (scan.tokens[at]?.kind !== "word" || isRecurring(scan, at)) return null;
  const word = text(scan, at);
  const past = isWord(scan, at - 1, "i") && word.endsWith("s") ? weekdayOf(word.slice(0, -1)) : null;
  if (past !== null) return { weekday: past, past: true };
  const weekday = weekdayOf(word) ?? abbreviatedWeekday(scan, at);
  return weekday === null ? null : { weekday, past: false };
}

/** "i næste uge", "i denne uge", "om en uge", "om 14 dage" after weekdays. */
function weekModifier(scan: Scan, index: number): { relation?: WeekRelation; weeks: number; next: number } {
  if (phraseAt(scan, index, "i", "næste", "uge")) return { relation: "next", weeks: 0, next: index + 3 };
  if (phraseAt(scan, index, "næste", "uge")) return { relation: "next", weeks: 0, next: index + 2 };
  if (phraseAt(scan, index, "i", "denne", "uge")) return { relation: "coming", weeks: 0, next: index + 3 };
  const count = countOf(text(scan, index + 1));
  const unit = text(scan, index + 2);
  if (!isWord(scan, index, "om") || count === null) return { weeks: 0, next: index };
  if (/^(uge|uger)$/.test(unit)) return { weeks: count, next: index + 3 };
  if ((count === 14 || count === 8) && unit === "dage")
    return { weeks: count === 14 ? 2 : 1, next: index + 3 };
  return { weeks: 0, next: index };
}

/** "hver tirsdag", "hver anden torsdag" name a habit, not a date. */
function isRecurring(scan: Scan, at: number): boolean {
  return isWord(scan, at - 1, "hver") || (isWord(scan, at - 2, "hver") && isWord(scan, at - 1, "anden", "2"));
}

function abbreviatedWeekday(scan: Scan, index: number): number | null {
  const weekday = WEEKDAY_ABBREVIATIONS[text(scan, index)];
  if (weekday === undefined) return null;
  const after = skipDot(scan, index + 1);
  const followedByDateOrTime =
    scan.tokens[after]?.kind === "num" || isWord(scan, after, "d", "den", "kl", "klokken");
  return followedByDateOrTime ? weekday : null;
}

function weekdayEnglish(scan: Scan, weekday: number, relation: WeekRelation, weeks: number): string {
  const name = WEEKDAYS_EN[weekday - 1]!;
  if (relation === "last") {
    const back = (scan.wall.weekday - weekday + 7) % 7 || 7;
    return back === 1 ? "yesterday" : `${back} days ago`;
  }
  if (weeks > 0) return `in ${daysUntil(scan, weekday) + 7 * weeks} days`;
  return relation === "next" ? `next ${name}` : name;
}

function startsExplicitDate(scan: Scan, index: number): boolean {
  if (isWord(scan, index, "d", "den")) return true;
  const token = scan.tokens[index];
  if (token?.kind !== "num") return false;
  return numericDate(token.text, false) !== null || monthOf(text(scan, skipDot(scan, index + 1))) !== null;
}

/** Day numbers joined by "og"/"eller"/","/"-": "14. og 21.", "14.-15.", "14-15", "d. 14 eller d. 21". */
function parseDayList(
  scan: Scan,
  index: number,
): { days: number[]; next: number; ordinalWord?: string } | null {
  const days: number[] = [];
  let at = index;
  let ordinalWord: string | undefined;
  for (;;) {
    const token = scan.tokens[at];
    const ordinal = token ? ORDINAL_WORDS[token.text] : undefined;
    const range = token?.kind === "num" ? /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(token.text) : null;
    if (ordinal !== undefined) {
      days.push(ordinal);
      ordinalWord ??= token!.text;
    } else if (range) {
      days.push(Number(range[1]));
      if (range[2]) days.push(Number(range[2]));
    } else break;
    at = skipDot(scan, at + 1);
    const joiner = text(scan, at);
    if (!LIST_JOINERS.has(joiner)) break;
    let following = at + 1;
    if (isWord(scan, following, "d", "den")) following = skipDot(scan, following + 1);
    const nextToken = scan.tokens[following];
    if (!nextToken || (nextToken.kind !== "num" && ORDINAL_WORDS[nextToken.text] === undefined)) break;
    if (nextToken.kind === "num" && !/^\d{1,2}(-\d{1,2})?$/.test(nextToken.text)) break;
    at = following;
  }
  if (days.length === 0 || days.some((day) => day < 1 || day > 31)) return null;
  return ordinalWord === undefined ? { days, next: at } : { days, next: at, ordinalWord };
}

/** A 4-digit year right after a month: "14. marts 2027". */
function yearAt(scan: Scan, index: number): number | undefined {
  const digits = text(scan, index);
  return /^(19|20)\d\d$/.test(digits) ? Number(digits) : undefined;
}

/** Dates with "d."/"den", a month name, or numeric forms; bare day numbers are never dates. */
function parseExplicitDate(scan: Scan, index: number): Parsed | null {
  const prefixed = isWord(scan, index, "d", "den");
  const at = prefixed ? skipDot(scan, index + 1) : index;
  if (prefixed && text(scan, index) === "d" && at === index + 1 && scan.tokens[at]?.kind !== "num")
    return null;
  return parseNumericDate(scan, index, at, prefixed) ?? parseDaysWithMonth(scan, index, at, prefixed);
}

function parseNumericDate(scan: Scan, from: number, at: number, prefixed: boolean): Parsed | null {
  const token = scan.tokens[at];
  if (token?.kind !== "num" || isQuantity(scan, at)) return null;
  const single = numericDate(token.text, prefixed);
  const dates = single ? [single] : numericDateRange(token.text);
  if (dates.length === 0 || !plausibleNumericDate(scan, at, dates[0]!, prefixed)) return null;
  const mentions = dates.map((date) => dateMention(scan, from, at + 1, englishDate(date)));
  return { mentions, next: skipDot(scan, at + 1) };
}

/** "23.3-5.4", "14/3-15/3": both ends of a range written as one token. */
function numericDateRange(token: string): DayMonth[] {
  const ends = token.split("-");
  if (ends.length !== 2) return [];
  const dates = ends.map((end) => numericDate(end, false));
  return dates.every((date) => date !== null) ? dates : [];
}

/** Rules that keep scores ("4/5") and clock times ("i morgen 9.10") from being read as day/month. */
function plausibleNumericDate(scan: Scan, at: number, date: DayMonth, prefixed: boolean): boolean {
  const token = scan.tokens[at]!.text;
  if (prefixed || date.year !== undefined) return true;
  const slash = /^\d+\/\d+$/.test(token);
  // "4/5!", "5/5 👍", "det var 4/5": said like a score
  const scoreMark = /^!$|\p{Extended_Pictographic}/u.test(text(scan, at + 1)) || isWord(scan, at - 1, "var");
  const outOfFiveOrTen = slash && (date.month === 5 || date.month === 10) && date.day <= date.month;
  if (outOfFiveOrTen && (scan.ratingContext || scoreMark)) return false;
  const dotted = /^\d+\.\d\d$/.test(token);
  const previous = scan.mentions.at(-1);
  const afterRelativeDay =
    previous?.kind === "date" && previous.relativeDay === true && scan.lastDateEnd >= at - 1;
  return !(dotted && afterRelativeDay && numericTime(token, false) !== null);
}

function parseDaysWithMonth(scan: Scan, from: number, at: number, prefixed: boolean): Parsed | null {
  const list = parseDayList(scan, at);
  if (!list) return null;
  const month = monthOf(text(scan, list.next));
  if (month !== null) {
    let next = skipDot(scan, list.next + 1);
    const year = yearAt(scan, next);
    if (year !== undefined) next++;
    const dates = list.days.filter((day) => validDayMonth(day, month, year));
    const english = dates.map((day) =>
      englishDate(year === undefined ? { day, month } : { day, month, year }),
    );
    return { mentions: english.map((phrase) => dateMention(scan, from, next, phrase)), next };
  }
  if (!prefixed || isQuantity(scan, at)) return null;
  if (list.ordinalWord && ORDINALS_NEEDING_MONTH.has(list.ordinalWord) && text(scan, from) === "den")
    return null;
  if (text(scan, from) === "den" && ORDINAL_NOUNS.has(text(scan, list.next))) return null;
  return parseDaysOnly(scan, from, list);
}

/** "d. 14." is this month's 14th unless passed, then the next month that has a 14th; "i næste måned" forces next month. */
function parseDaysOnly(scan: Scan, from: number, list: { days: number[]; next: number }): Parsed {
  let next = list.next;
  let monthsAhead: number | null = null;
  if (phraseAt(scan, next, "i", "næste", "måned") || phraseAt(scan, next, "i", "denne", "måned")) {
    monthsAhead = isWord(scan, next + 1, "næste") ? 1 : 0;
    next += 3;
  }
  const mentions = list.days.flatMap((day) => {
    const date = monthForDay(scan.wall, day, monthsAhead);
    return date ? [dateMention(scan, from, next, englishDate(date))] : [];
  });
  return { mentions, next };
}

function monthForDay(wall: WallClock, day: number, monthsAhead: number | null): DayMonth | null {
  for (let ahead = monthsAhead ?? 0; ahead < 13; ahead++) {
    const month = ((wall.month - 1 + ahead) % 12) + 1;
    const year = wall.year + Math.floor((wall.month - 1 + ahead) / 12);
    const stillAhead = ahead > 0 || day >= wall.day;
    if (stillAhead && day <= daysInMonth(year, month)) return { day, month, year };
    if (monthsAhead !== null) return null;
  }
  return null;
}

/** "juleaften", "2. juledag", "sankt hans", "kristi himmelfartsdag", "skærtorsdag". */
function parseHoliday(scan: Scan, index: number): Parsed | null {
  const secondDay = text(scan, index) === "2" && text(scan, index + 1) === ".";
  let at = secondDay ? index + 2 : index;
  if (phraseAt(scan, at, "sankt", "hans") || isWord(scan, at, "kristi")) at++;
  const word = isWord(scan, at - 1, "sankt") ? "sankthans" : text(scan, at);
  const holiday = HOLIDAYS[word];
  if (!holiday) return null;
  const extraDays = secondDay ? 1 : 0;
  const english =
    "fixed" in holiday
      ? englishDate({ day: holiday.fixed[0] + extraDays, month: holiday.fixed[1] })
      : englishDate(nextAfterEaster(scan.wall, holiday.afterEaster + extraDays));
  return { mentions: [dateMention(scan, index, at + 1, english)], next: at + 1 };
}

/** The next date (today counting) that lies `days` after Easter Sunday. */
function nextAfterEaster(wall: WallClock, days: number): DayMonth {
  const today = Date.UTC(wall.year, wall.month - 1, wall.day);
  const [thisYear, nextYear] = [wall.year, wall.year + 1].map((year) => {
    const [month, day] = easterSunday(year);
    return new Date(Date.UTC(year, month - 1, day + days));
  });
  const date = thisYear!.getTime() >= today ? thisYear! : nextYear!;
  return { day: date.getUTCDate(), month: date.getUTCMonth() + 1, year: date.getUTCFullYear() };
}

/** Easter Sunday as [month, day] (the anonymous Gregorian algorithm). */
function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = (19 * a + b - Math.floor(b / 4) - Math.floor((b - Math.floor((8 * b + 13) / 25)) / 3) + 15) % 30;
  const e = (32 + 2 * (b % 4) + 2 * Math.floor(c / 4) - d - (c % 4)) % 7;
  const f = d + e - 7 * Math.floor((a + 11 * d + 22 * e) / 451) + 114;
  return [Math.floor(f / 31), (f % 31) + 1];
}

// ---------------------------------------------------------------- time grammar

/** "halv ti", "kvart over ti", "kvart i ti", "fem over halv otte", "ti minutter i syv". */
function parseSpokenTime(scan: Scan, index: number): { time: ClockTime; next: number } | null {
  let at = index;
  let minutes: number | null = null;
  if (isWord(scan, at, "kvart")) minutes = 15;
  else if (isWord(scan, at, "fem", "ti", "tyve", "5", "10", "20", "25")) minutes = countOf(text(scan, at));
  if (minutes !== null) {
    at++;
    if (isWord(scan, at, "minutter", "min")) at++;
    if (!isWord(scan, at, "over", "i")) return null;
    const after = isWord(scan, at, "over");
    const half = isWord(scan, at + 1, "halv");
    const hour = hourWord(text(scan, at + (half ? 2 : 1)));
    if (hour === null) return null;
    const base = half ? (hour - 1) * 60 + 30 : hour * 60;
    return { time: clockFromMinutes(base + (after ? minutes : -minutes)), next: at + (half ? 3 : 2) };
  }
  if (isWord(scan, at, "halv")) {
    const hour = hourWord(text(scan, at + 1));
    return hour === null ? null : { time: clockFromMinutes((hour - 1) * 60 + 30), next: at + 2 };
  }
  return null;
}

function clockFromMinutes(total: number): ClockTime {
  const wrapped = (total + 12 * 60) % (12 * 60) || 12 * 60; // "halv et" is 12:30, not 0:30
  return { hour: Math.floor(wrapped / 60), minute: wrapped % 60, fixed: false };
}

/** After "kl."/"klokken": "17", "9.30", "930", "ti", "halv ti", "17-21". */
function parseClockAfterKl(scan: Scan, index: number): { time: ClockTime; next: number } | null {
  const spoken = parseSpokenTime(scan, index);
  if (spoken) return spoken;
  const token = scan.tokens[index];
  if (token?.kind === "num") {
    const time = isQuantity(scan, index) ? null : numericTime(token.text, true);
    return time ? { time, next: index + 1 } : null;
  }
  const hour = hourWord(text(scan, index));
  return hour === null ? null : { time: { hour, minute: 0, fixed: false }, next: index + 1 };
}

/** "kl. 17", "klokken halv ti", "17.30", "17:30", "17-tiden", "lørdag 10-16", "fra 10 til 16". */
function parseTime(scan: Scan, index: number): Parsed | null {
  const afterKl = clockAfterKl(scan, index);
  const found = afterKl ?? parseSpokenTime(scan, index) ?? parseBareClock(scan, index);
  if (!found) return null;
  const mentions = [timeMention(scan, index, found)];
  let next = mentions[0]!.next;
  if (afterKl && isWord(scan, next, "eller")) {
    // "kl. 17 eller 18": the second number is a clock time too
    const alternative = clockAfterKl(scan, next + 1) ?? parseClockAfterKl(scan, next + 1);
    if (alternative) {
      mentions.push(timeMention(scan, next + 1, alternative));
      next = mentions[1]!.next;
    }
  }
  return { mentions: mentions.map((mention) => mention.time), next };
}

/** "kl. 17", "klokken ca. 17", "kl: 17". */
function clockAfterKl(scan: Scan, index: number): { time: ClockTime; next: number } | null {
  if (!isWord(scan, index, "kl", "klokken", "klokka", "kloken", "klk")) return null;
  let at = isWord(scan, index + 1, ".", ":") ? index + 2 : index + 1;
  if (isWord(scan, at, "ca", "cirka", "omkring")) at = skipDot(scan, at + 1);
  return parseClockAfterKl(scan, at);
}

/** A time mention from its first token, with a trailing range end and day part ("17-21", "i aften") taken in. */
function timeMention(
  scan: Scan,
  from: number,
  found: { time: ClockTime; next: number },
): { time: TimeMention; next: number } {
  const part = dayPartAt(scan, skipRangeEnd(scan, found.next));
  const time: TimeMention = { kind: "time", ...span(scan, from, part.next), ...found.time };
  if (part.dayPart) time.dayPart = part.dayPart;
  return { time, next: part.next };
}

/** Clock times without "kl.": "17:30", "17.30" (not a valid date), "17-tiden", and ranges right after a date. */
function parseBareClock(scan: Scan, index: number): { time: ClockTime; next: number } | null {
  const fromWord = CLOCK_PREPOSITIONS.has(text(scan, index));
  const at = fromWord ? index + 1 : index;
  const token = scan.tokens[at];
  if (token?.kind !== "num" || isQuantity(scan, at)) return null;
  const time = numericTime(token.text, false);
  if (!time) return null;
  if (isWord(scan, at + 1, "tiden") || (text(scan, at + 1) === "-" && isWord(scan, at + 2, "tiden"))) {
    return { time, next: isWord(scan, at + 1, "tiden") ? at + 2 : at + 3 };
  }
  const clockShaped =
    /^\d{1,2}:\d\d(-|$)/.test(token.text) ||
    looksLikeDottedClock(token.text) ||
    (fromWord && /^(1[3-9]|2[0-3])$/.test(token.text)); // "efter 16": a 24-hour hour after a preposition
  const rangeAfterDate =
    /^\d{1,2}([.:]\d\d)?-\d{1,2}([.:]\d\d)?$/.test(token.text) ||
    (fromWord && isWord(scan, at + 1, "til", "og", "-"));
  if (clockShaped || (rangeAfterDate && rightAfterDate(scan, index))) return { time, next: at + 1 };
  return isWord(scan, index, "fra", "mellem") && isClockRange(scan, at, time) ? { time, next: at + 1 } : null;
}

/** "fra 10 til 12", "mellem 17 og 19": two hours, the second later and not a count ("fra 2 til 4 personer"). */
function isClockRange(scan: Scan, at: number, start: ClockTime): boolean {
  if (!isWord(scan, at + 1, "til", "og", "-")) return false;
  const endAt = isWord(scan, at + 2, "kl", "klokken") ? skipDot(scan, at + 3) : at + 2;
  const end = scan.tokens[endAt]?.kind === "num" ? numericTime(text(scan, endAt), false) : null;
  return end !== null && end.hour > start.hour && !isQuantity(scan, endAt);
}

/**
 * "17.30" without "kl." is a time, but "lokale 2.14" and "version 1.12" are not: written clock
 * times have a daytime hour and round minutes.
 */
function looksLikeDottedClock(token: string): boolean {
  const match = /^(\d{1,2})\.(\d\d)(-|$)/.exec(token);
  return match !== null && Number(match[1]) >= 6 && Number(match[2]) % 5 === 0;
}

function rightAfterDate(scan: Scan, index: number): boolean {
  if (scan.lastDateEnd < 0 || scan.lastDateEnd > index) return false;
  for (let at = scan.lastDateEnd; at < index; at++) if (!DATE_TIME_GLUE.has(text(scan, at))) return false;
  return true;
}

/** The end of "17-21", "kl. 17 til 21", "fra 10 til kl. 16" is not a second time. */
function skipRangeEnd(scan: Scan, index: number): number {
  if (!isWord(scan, index, "-", "–", "til", "og")) return index;
  let at = index + 1;
  if (isWord(scan, at, "kl", "klokken")) at = skipDot(scan, at + 1);
  const token = scan.tokens[at];
  const isClock =
    token?.kind === "num" ? numericTime(token.text, true) !== null : hourWord(text(scan, at)) !== null;
  const between = scan.tokens.slice(Math.max(0, index - 4), index).some((token) => token.text === "mellem");
  if (!isClock || (isWord(scan, index, "og") && !between)) return index;
  return at + 1;
}

// ---------------------------------------------------------------- scanning

const PARSERS = [parseHoliday, parseRelativeDay, parseInDuration, parseWeekday, parseExplicitDate, parseTime];

function scanMentions(folded: string, wall: WallClock, ref: Date, timeZone: string): Mention[] {
  const scan: Scan = {
    tokens: tokenize(folded),
    wall,
    ref,
    timeZone,
    ratingContext: RATING_CONTEXT.test(folded),
    mentions: [],
    lastDateEnd: -1,
  };
  for (let index = 0; index < scan.tokens.length;) {
    const parsed = firstParse(scan, index);
    if (!parsed) {
      index++;
      continue;
    }
    scan.mentions.push(...parsed.mentions);
    if (parsed.mentions.some((mention) => mention.kind === "date")) scan.lastDateEnd = parsed.next;
    index = Math.max(parsed.next, index + 1);
  }
  return scan.mentions;
}

function firstParse(scan: Scan, index: number): Parsed | null {
  for (const parse of PARSERS) {
    const parsed = parse(scan, index);
    if (parsed) return parsed;
  }
  return null;
}

// ---------------------------------------------------------------- times onto dates

/** 24-hour clock after the AM/PM rule in the module comment. */
function clockHour(time: TimeMention, dayPart: DayPart | undefined): number {
  if (time.fixed) return time.hour;
  if (dayPart === "pm") return time.hour < 12 ? time.hour + 12 : 12;
  if (dayPart === "am") return time.hour;
  return time.hour <= 7 ? time.hour + 12 : time.hour;
}

/** Unambiguous English clock: "5:30pm" style for the 12-hour half the recognizer would otherwise guess. */
function englishTime(hour: number, minute: number): string {
  if (hour >= 13) return `${hour}:${pad(minute)}`;
  if (hour === 12) return `12:${pad(minute)}pm`;
  return `${hour === 0 ? 12 : hour}:${pad(minute)}am`;
}

interface Phrase {
  start: number;
  english: string;
}

function distance(a: Mention, b: Mention): number {
  return a.end <= b.start ? b.start - a.end : Math.max(0, a.start - b.end);
}

/** Each time joins the nearest date that has no time yet (or the nearest date at all); lone times become today/tomorrow. */
function phrases(mentions: Mention[], wall: WallClock): Phrase[] {
  const dates = mentions.filter((mention): mention is DateMention => mention.kind === "date");
  const times = mentions.filter((mention): mention is TimeMention => mention.kind === "time");
  const timesOf = new Map<DateMention, TimeMention[]>();
  const lone: Phrase[] = [];
  for (const time of times) {
    const open = dates.filter((date) => !date.timed && !timesOf.has(date));
    const candidates = open.length > 0 ? open : dates.filter((date) => !date.timed);
    const nearest = candidates.sort((a, b) => distance(a, time) - distance(b, time))[0];
    if (nearest) timesOf.set(nearest, [...(timesOf.get(nearest) ?? []), time]);
    else lone.push(loneTimePhrase(time, wall));
  }
  const dated = dates.flatMap((date): Phrase[] => {
    const attached = timesOf.get(date);
    if (!attached) return [{ start: date.start, english: date.english }];
    return attached.map((time) => ({
      start: Math.min(date.start, time.start),
      english: `${date.english} at ${englishTime(clockHour(time, time.dayPart ?? date.dayPart), time.minute)}`,
    }));
  });
  return [...dated, ...lone].sort((a, b) => a.start - b.start);
}

function loneTimePhrase(time: TimeMention, wall: WallClock): Phrase {
  const hour = clockHour(time, time.dayPart);
  const stillAhead = hour * 60 + time.minute >= wall.hour * 60 + wall.minute;
  return {
    start: time.start,
    english: `${stillAhead ? "today" : "tomorrow"} at ${englishTime(hour, time.minute)}`,
  };
}

// ---------------------------------------------------------------- recognizer

let englishModel: IDateTimeModel | undefined;

/** Building the model compiles hundreds of regular expressions, so it is built once. */
function recognizer(): IDateTimeModel {
  englishModel ??= new DateTimeRecognizer(Culture.English).getDateTimeModel();
  return englishModel;
}

/** The part of the recognizer's untyped resolution this module reads. */
interface ResolutionValue {
  type: string;
  value: string;
}

function isResolutionValue(value: unknown): value is ResolutionValue {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.type === "string" && typeof record.value === "string";
}

const RESOLVED_VALUE = /^(\d{4}-\d\d-\d\d)(?: (\d\d:\d\d):\d\d)?$/;

/**
 * Resolves one English phrase to "YYYY-MM-DD" or "YYYY-MM-DDTHH:mm". The recognizer offers the
 * past and the future occurrence of year-less dates and weekdays; the first one not before today wins.
 */
function resolve(english: string, reference: Date, today: string): string | null {
  const whole = recognizer()
    .parse(english, reference)
    .find((result) => result.start === 0 && result.end === english.length - 1);
  const rawValues: unknown = whole?.resolution?.values;
  const values = (Array.isArray(rawValues) ? rawValues : [])
    .filter(isResolutionValue)
    .filter((value) => value.type === "date" || value.type === "datetime")
    .flatMap((value) => {
      const match = RESOLVED_VALUE.exec(value.value);
      return match ? [match[2] ? `${match[1]}T${match[2]}` : match[1]!] : [];
    });
  if (values.length <= 1) return values[0] ?? null;
  return values.find((value) => value.slice(0, 10) >= today) ?? values.at(-1)!;
}

// ---------------------------------------------------------------- public API

/**
 * Every date or time mentioned in a member's Danish message, as local "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:mm" in `timeZone`, de-duplicated, in order of appearance. A date also present
 * with a time is only reported with the time.
 */
export function extractDates(text: string, ref: Date, timeZone = "Europe/Copenhagen"): string[] {
  if (Number.isNaN(ref.getTime())) throw new RangeError("extractDates needs a valid reference date");
  const wall = wallClock(ref, timeZone);
  const reference = recognizerReference(wall);
  const today = isoDate(wall.year, wall.month, wall.day);
  const found = phrases(scanMentions(foldDanish(text), wall, ref, timeZone), wall)
    .map((phrase) => resolve(phrase.english, reference, today))
    .filter((value): value is string => value !== null);
  const unique = [...new Set(found)];
  return unique.filter(
    (value) => value.length > 10 || !unique.some((other) => other.startsWith(`${value}T`)),
  );
}

/** Whether an expected date/datetime `covers` an extracted one: equal, or a date-only expectation of the same day. */
function covers(expected: string, actual: string): boolean {
  return expected === actual || (expected.length === 10 && actual.startsWith(`${expected}T`));
}

/**
 * The evaluation's scoring rule: the lists match as sets, where an expected date without a time
 * accepts any extracted datetime on that date, and every extracted value must be expected.
 */
export function datesMatch(expected: string[], actual: string[]): boolean {
  return (
    expected.every((wanted) => actual.some((got) => covers(wanted, got))) &&
    actual.every((got) => expected.some((wanted) => covers(wanted, got)))
  );
}
