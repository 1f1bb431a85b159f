import { TZDate } from "@date-fns/tz";
// One module per function and locale: the package's index loads all of them and every locale
// (0.4 s and 23 MB at start).
import { differenceInCalendarDays } from "date-fns/differenceInCalendarDays";
import { format } from "date-fns/format";
import { da } from "date-fns/locale/da";
import { enGB } from "date-fns/locale/en-GB";
import type { Language } from "../i18n/i18n.js";

export interface TimeFormatOptions {
  language: Language;
  timeZone: string;
  now: Date;
}

/**
 * "lørdag den 14. marts kl. 10-16", the way the style guide writes a meeting: weekday and month
 * in lowercase, the year only when it is not this year, and "i morgen (tirsdag)" when that helps.
 */
export function formatSessionTime(start: Date, end: Date, options: TimeFormatOptions): string {
  return `${formatDay(start, options)} ${formatTimeRange(start, end, options)}`;
}

export function formatDay(date: Date, options: TimeFormatOptions): string {
  const zoned = new TZDate(date.getTime(), options.timeZone);
  const today = new TZDate(options.now.getTime(), options.timeZone);
  const locale = options.language === "da" ? da : enGB;
  const weekday = format(zoned, "EEEE", { locale });
  const daysAway = differenceInCalendarDays(zoned, today);
  if (daysAway === 0) return options.language === "da" ? "i dag" : "today";
  if (daysAway === 1) return options.language === "da" ? `i morgen (${weekday})` : `tomorrow (${weekday})`;
  const sameYear = zoned.getFullYear() === today.getFullYear();
  if (options.language === "da")
    return format(zoned, sameYear ? "EEEE 'den' d. MMMM" : "EEEE 'den' d. MMMM yyyy", { locale });
  return format(zoned, sameYear ? "EEEE d MMMM" : "EEEE d MMMM yyyy", { locale });
}

/** "14. marts": the short form for lists of dates. */
export function formatShortDate(date: Date, options: TimeFormatOptions): string {
  const zoned = new TZDate(date.getTime(), options.timeZone);
  return options.language === "da"
    ? format(zoned, "d. MMMM", { locale: da })
    : format(zoned, "d MMMM", { locale: enGB });
}

/** "tirsdag 15. dec. kl. 17-21": a session in a list, short enough for an SMS invitation. */
export function formatSessionShort(start: Date, end: Date, options: Omit<TimeFormatOptions, "now">): string {
  const zoned = new TZDate(start.getTime(), options.timeZone);
  const day =
    options.language === "da"
      ? format(zoned, "EEEE d. MMM", { locale: da })
      : format(zoned, "EEEE d MMM", { locale: enGB });
  return `${day} ${formatTimeRange(start, end, options)}`;
}

/** "kl. 10-16" for whole hours, otherwise "kl. 17.30-21.00" (Danish uses a period in times). */
export function formatTimeRange(start: Date, end: Date, options: Omit<TimeFormatOptions, "now">): string {
  const from = new TZDate(start.getTime(), options.timeZone);
  const to = new TZDate(end.getTime(), options.timeZone);
  if (options.language === "en") return `${format(from, "HH:mm")}-${format(to, "HH:mm")}`;
  const wholeHours = from.getMinutes() === 0 && to.getMinutes() === 0;
  return wholeHours
    ? `kl. ${from.getHours()}-${to.getHours()}`
    : `kl. ${format(from, "HH.mm")}-${format(to, "HH.mm")}`;
}

/** "2.000 kr." */
export function formatKroner(amount: number): string {
  return `${new Intl.NumberFormat("da-DK", { maximumFractionDigits: 2 }).format(amount)} kr.`;
}

/** The calendar date YYYY-MM-DD of an instant in a time zone. */
export function localDateOf(date: Date, timeZone: string): string {
  return format(new TZDate(date.getTime(), timeZone), "yyyy-MM-dd");
}

/** "lørdag den 14. marts kl. 10.00": a moment, as the bot tells its own time (always this year). */
export function formatMoment(date: Date, options: Omit<TimeFormatOptions, "now">): string {
  const zoned = new TZDate(date.getTime(), options.timeZone);
  return options.language === "da"
    ? format(zoned, "EEEE 'den' d. MMMM 'kl.' HH.mm", { locale: da })
    : format(zoned, "EEEE d MMMM, HH:mm", { locale: enGB });
}
