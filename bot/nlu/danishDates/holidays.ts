/**
 * Danish holidays by name are single dates: fixed ones ("juleaften", "2. juledag") and
 * Easter-based ones ("skærtorsdag", "2. påskedag"), each its next occurrence, today counting.
 */
import { englishDate } from "./english.js";
import { type DayMonth, type Parsed, type Scan, dateMention, isWord, phraseAt, text } from "./scan.js";
import type { WallClock } from "./wallClock.js";

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

/** "juleaften", "2. juledag", "sankt hans", "kristi himmelfartsdag", "skærtorsdag". */
export function parseHoliday(scan: Scan, index: number): Parsed | null {
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
