/**
 * Clock times: "kl. 17", "klokken halv ti", "17.30", "17:30", "17-tiden", "lørdag 10-16", "fra 10 til 16".
 *
 * Clock times need "kl."/"klokken", a spoken form ("halv ti"), a colon ("17:30"), a dotted
 * daytime hour with round minutes ("17.30", not "lokale 2.14"), a 24-hour hour after a
 * preposition ("efter 16"), or a range right after a date ("lørdag 10-16"). Which half of the
 * day a time is in is settled when it joins its date (phrases.ts).
 */
import { isQuantity, numericTime } from "./numbers.js";
import {
  type ClockTime,
  type Parsed,
  type Scan,
  type TimeMention,
  dayPartAt,
  isWord,
  skipApproximately,
  skipDot,
  span,
  text,
} from "./scan.js";
import { CLOCK_PREPOSITIONS, DATE_TIME_GLUE, countOf, hourWord } from "./vocabulary.js";

/** A clock time found in the message, and the index of the token after it. */
interface FoundClock {
  time: ClockTime;
  next: number;
}

/** "halv ti", "kvart over ti", "kvart i ti", "fem over halv otte", "ti minutter i syv". */
function parseSpokenTime(scan: Scan, index: number): FoundClock | null {
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

/** The clock as written after "kl."/"klokken": "17", "9.30", "930", "ti", "halv ti", "17-21". */
function clockValue(scan: Scan, index: number): FoundClock | null {
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
export function parseTime(scan: Scan, index: number): Parsed | null {
  const afterKl = clockAfterKl(scan, index);
  const found = afterKl ?? parseSpokenTime(scan, index) ?? parseBareClock(scan, index);
  if (!found) return null;
  const mentions = [timeMention(scan, index, found)];
  let next = mentions[0]!.next;
  if (afterKl && isWord(scan, next, "eller")) {
    // "kl. 17 eller 18": the second number is a clock time too
    const alternative = clockAfterKl(scan, next + 1) ?? clockValue(scan, next + 1);
    if (alternative) {
      mentions.push(timeMention(scan, next + 1, alternative));
      next = mentions[1]!.next;
    }
  }
  return { mentions: mentions.map((mention) => mention.time), next };
}

/** "kl. 17", "klokken ca. 17", "kl: 17". */
function clockAfterKl(scan: Scan, index: number): FoundClock | null {
  if (!isWord(scan, index, "kl", "klokken", "klokka", "kloken", "klk")) return null;
  const at = isWord(scan, index + 1, ".", ":") ? index + 2 : index + 1;
  return clockValue(scan, skipApproximately(scan, at));
}

/** A time mention from its first token, with a trailing range end and day part ("17-21", "i aften") taken in. */
function timeMention(scan: Scan, from: number, found: FoundClock): { time: TimeMention; next: number } {
  const part = dayPartAt(scan, skipRangeEnd(scan, found.next));
  const time: TimeMention = {
    kind: "time",
    ...span(scan, from, part.next),
    ...found.time,
    dayPart: part.dayPart,
  };
  return { time, next: part.next };
}

/** Clock times without "kl.": "17:30", "17.30" (not a valid date), "17-tiden", and ranges right after a date. */
function parseBareClock(scan: Scan, index: number): FoundClock | null {
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
