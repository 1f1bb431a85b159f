/**
 * Numeric dates and clock times as written ("14/3", "14-03-2027", "17.30", "1730"), and the
 * numbers that are neither because of the words around them.
 *
 * Day before month always: "14/3", "14.3", "14-03-2027" are 14 March.
 */
import { type ClockTime, type DayMonth, type Scan, skipDot, text } from "./scan.js";
import { LABEL_WORDS, UNIT_WORDS } from "./vocabulary.js";
import { daysInMonth } from "./wallClock.js";

export function validDayMonth(day: number, month: number, year?: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year ?? 2028, month);
}

function fullYear(digits: string): number | undefined {
  if (digits.length === 2) return 2000 + Number(digits);
  if (digits.length === 4) return Number(digits);
  return undefined;
}

/** Numeric dates, day first: "14/3", "14.3", "14/3/27", "14/3-2027", "14-03-2027", "14.03.2027", "2026-03-14". */
export function numericDate(token: string, allowDayDashMonth: boolean): DayMonth | null {
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

/** "17", "9.30", "17:30", "07.30", and after "kl." also "930"/"1730". A range "17-21" gives its start. */
export function numericTime(token: string, compactAllowed: boolean): ClockTime | null {
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

/** A number followed by a unit ("2 børn", "2.5 timer") or after a label ("kr. 14.50", "punkt 3.4") is no date or time. */
export function isQuantity(scan: Scan, index: number): boolean {
  const after = skipDot(scan, index + 1);
  const before = index >= 2 && text(scan, index - 1) === "." ? index - 2 : index - 1;
  return (
    UNIT_WORDS.has(text(scan, after)) || LABEL_WORDS.has(text(scan, before)) || text(scan, index + 1) === "%"
  );
}
