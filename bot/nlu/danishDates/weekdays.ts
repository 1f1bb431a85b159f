/**
 * Weekdays: "på lørdag", "næste tirsdag", "i lørdags", "fredag aften", "tors. 5/11", and lists
 * sharing their words ("tirsdag eller onsdag i næste uge").
 *
 * A weekday ("på lørdag") is the coming one, today included; "næste lørdag" is Saturday of next
 * (Monday-based) week; "i lørdags"/"sidste lørdag" is the most recent past Saturday. Recurring
 * days ("hver tirsdag", "tirsdage") are not single dates.
 */
import { WEEKDAYS_EN } from "./english.js";
import { numericDate } from "./numbers.js";
import { type Parsed, type Scan, dateMention, dayPartAt, isWord, phraseAt, skipDot, text } from "./scan.js";
import { LIST_JOINERS, WEEKDAY_ABBREVIATIONS, countOf, monthOf, weekdayOf } from "./vocabulary.js";

/** Days from today until the coming `weekday`, today counting as coming. */
export function daysUntil(scan: Scan, weekday: number): number {
  return (weekday - scan.wall.weekday + 7) % 7;
}

type WeekRelation = "coming" | "next" | "last";

/**
 * "på lørdag", "næste tirsdag", "i lørdags", "fredag aften", "tors. 5/11 kl 17", and lists sharing
 * their words: "tirsdag eller onsdag i næste uge" puts both days in next week.
 */
export function parseWeekday(scan: Scan, index: number): Parsed | null {
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
    return dateMention(scan, token, token + 1, english, { dayPart: part.dayPart });
  });
  return { mentions, next: part.next };
}

/** The weekday at `at`, including the past form "i tirsdags"; `null` for habits and plain words. */
export function weekdayAt(scan: Scan, at: number): { weekday: number; past: boolean } | null {
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
