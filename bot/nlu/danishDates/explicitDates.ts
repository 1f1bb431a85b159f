/**
 * Dates written out: with "d."/"den", a month name, or in numeric form ("d. 14.", "14. og 21.
 * marts", "14/3", "23.3-5.4"). Bare day numbers are never dates.
 *
 * Rules chosen where Danish is ambiguous:
 * - A date without a year is its next occurrence; today counts (the recognizer picks it). A bare
 *   day ("d. 14.") is this month's if not passed, else the next month that has that day.
 * - "D.M" is a date when it is a valid day and month ("10.12"), otherwise a time ("17.30");
 *   after "kl." it is always a time, and right after "i dag"/"i morgen" a time wins too.
 * - Not dates: bare numbers, quantities and labels ("2 børn", "2.5 timer", "kr. 14.50",
 *   "punkt 3.4"), phone numbers, fractions ("1/2 time", "3/4 af dem"), and "x/5" or "x/10"
 *   said as a score: in a message about ratings ("4/5 stjerner", "jeg giver 4/5"), after "var"
 *   or before "!"/an emoji.
 */
import { englishDate } from "./english.js";
import { isQuantity, numericDate, numericTime, validDayMonth } from "./numbers.js";
import {
  type DayMonth,
  type Parsed,
  type Scan,
  dateMention,
  isWord,
  phraseAt,
  skipDot,
  text,
} from "./scan.js";
import { LIST_JOINERS, ORDINALS_NEEDING_MONTH, ORDINAL_NOUNS, ORDINAL_WORDS, monthOf } from "./vocabulary.js";
import { type WallClock, daysInMonth } from "./wallClock.js";

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
  return { days, next: at, ordinalWord };
}

/** A 4-digit year right after a month: "14. marts 2027". */
function yearAt(scan: Scan, index: number): number | undefined {
  const digits = text(scan, index);
  return /^(19|20)\d\d$/.test(digits) ? Number(digits) : undefined;
}

/** Dates with "d."/"den", a month name, or numeric forms; bare day numbers are never dates. */
export function parseExplicitDate(scan: Scan, index: number): Parsed | null {
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
    const english = dates.map((day) => englishDate({ day, month, year }));
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
