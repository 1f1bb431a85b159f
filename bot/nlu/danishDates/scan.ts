/**
 * What the Danish date grammar shares: the tokens of a folded message, the scan state the parsers
 * read and extend, the mentions they produce, and small cursor helpers over the tokens.
 */
import { AM_WORDS, PM_WORDS } from "./vocabulary.js";
import type { WallClock } from "./wallClock.js";

interface Token {
  text: string;
  kind: "word" | "num" | "punct";
  start: number;
  end: number;
}

/** Words, digit groups with their inner separators ("14/3-2027", "9.30", "10:00-16:00"), and single other characters. */
const TOKEN_PATTERN = /(\p{L}+)|(\d+(?:[.:/-]\d+)*)|(\S)/gu;

export function tokenize(text: string): Token[] {
  return [...text.matchAll(TOKEN_PATTERN)].map((match) => ({
    text: match[0],
    kind: match[1] ? "word" : match[2] ? "num" : "punct",
    start: match.index,
    end: match.index + match[0].length,
  }));
}

export type DayPart = "am" | "pm";

export interface DateMention {
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

export interface TimeMention {
  kind: "time";
  start: number;
  end: number;
  hour: number;
  minute: number;
  /** Written so that AM/PM is settled: 24-hour ("17.30"), a leading zero ("07.30") or midnight. */
  fixed: boolean;
  dayPart?: DayPart;
}

export type Mention = DateMention | TimeMention;

export interface Parsed {
  mentions: Mention[];
  next: number;
}

export interface Scan {
  tokens: Token[];
  wall: WallClock;
  ref: Date;
  timeZone: string;
  ratingContext: boolean;
  mentions: Mention[];
  /** Token index just past the last date mention, to recognise "lørdag 10-16" as a time range. */
  lastDateEnd: number;
}

export function text(scan: Scan, index: number): string {
  return scan.tokens[index]?.text ?? "";
}

export function isWord(scan: Scan, index: number, ...words: string[]): boolean {
  return words.includes(text(scan, index));
}

export function span(scan: Scan, from: number, to: number): { start: number; end: number } {
  return { start: scan.tokens[from]!.start, end: scan.tokens[to - 1]!.end };
}

/** Whether `words` follow one another from `index`. */
export function phraseAt(scan: Scan, index: number, ...words: string[]): boolean {
  return words.every((word, offset) => text(scan, index + offset) === word);
}

/** Index after an optional "." (Danish abbreviations and ordinals: "d.", "kl.", "14."). */
export function skipDot(scan: Scan, index: number): number {
  return text(scan, index) === "." ? index + 1 : index;
}

/** Index after an optional "ca."/"cirka"/"omkring" ("om ca. 3 dage", "kl. ca. 17"). */
export function skipApproximately(scan: Scan, index: number): number {
  return isWord(scan, index, "ca", "cirka", "omkring") ? skipDot(scan, index + 1) : index;
}

export interface DayMonth {
  day: number;
  month: number;
  year?: number;
}

export interface ClockTime {
  hour: number;
  minute: number;
  fixed: boolean;
}

export function dateMention(
  scan: Scan,
  from: number,
  to: number,
  english: string,
  extra: Partial<DateMention> = {},
): DateMention {
  return { kind: "date", ...span(scan, from, to), english, ...extra };
}

/** "aften", "i aften", "om morgenen" after a day: which half of the day its times are in. */
export function dayPartAt(scan: Scan, index: number): { dayPart?: DayPart; next: number } {
  const at = isWord(scan, index, "om", "i") && !isWord(scan, index + 1, "morgen") ? index + 1 : index;
  const word = text(scan, at);
  if (PM_WORDS.has(word)) return { dayPart: "pm", next: at + 1 };
  if (AM_WORDS.has(word)) return { dayPart: "am", next: at + 1 };
  return { next: index };
}
