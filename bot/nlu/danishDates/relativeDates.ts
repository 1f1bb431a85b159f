/**
 * Dates relative to today: "i dag", "i morgen", "i overmorgen", "i går", "i aften", and
 * durations ahead: "om 3 dage", "om en uge", "om 2 timer", "om et kvarter".
 *
 * "om 2 timer" counts real elapsed time (DST-safe); "om 3 dage"/"om en uge" count calendar days.
 */
import { englishDate, englishTime } from "./english.js";
import {
  type DayPart,
  type Parsed,
  type Scan,
  dateMention,
  dayPartAt,
  isWord,
  phraseAt,
  skipApproximately,
  text,
} from "./scan.js";
import { countOf } from "./vocabulary.js";
import { wallClock } from "./wallClock.js";
import { daysUntil, weekdayAt } from "./weekdays.js";

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
export function parseRelativeDay(scan: Scan, index: number): Parsed | null {
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
      dayPart,
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
export function parseInDuration(scan: Scan, index: number): Parsed | null {
  if (!isWord(scan, index, "om")) return null;
  const at = skipApproximately(scan, index + 1);
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
