/**
 * The Danish grammar: tries each parser at each token of the folded message and collects the
 * date and time mentions they find. Periods ("i næste uge", "i marts", "weekenden", "i påsken")
 * are not single dates, so no parser reads them.
 */
import { parseTime } from "./clockTimes.js";
import { parseExplicitDate } from "./explicitDates.js";
import { parseHoliday } from "./holidays.js";
import { parseInDuration, parseRelativeDay } from "./relativeDates.js";
import { type Mention, type Parsed, type Scan, tokenize } from "./scan.js";
import { RATING_CONTEXT } from "./vocabulary.js";
import type { WallClock } from "./wallClock.js";
import { parseWeekday } from "./weekdays.js";

/** Tried in this order at each token; the first that matches wins and the scan continues after it. */
const PARSERS = [parseHoliday, parseRelativeDay, parseInDuration, parseWeekday, parseExplicitDate, parseTime];

/** The date and time mentions in a folded message, in order; `wall` is `ref` on the clock of `timeZone`. */
export function scanMentions(folded: string, wall: WallClock, ref: Date, timeZone: string): Mention[] {
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
