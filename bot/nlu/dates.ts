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
 * The steps live in danishDates/: wallClock (the reference time in the member's time zone),
 * scanMentions and its parsers (holidays, relativeDates, weekdays, explicitDates, clockTimes,
 * over the shared scan, vocabulary and numbers), phrases (times onto dates, in English) and
 * recognizer (the resolution). Each file documents the rules it applies where Danish is ambiguous.
 */
import { englishPhrases } from "./danishDates/phrases.js";
import { resolvePhrases } from "./danishDates/recognizer.js";
import { scanMentions } from "./danishDates/scanMentions.js";
import { wallClock } from "./danishDates/wallClock.js";
import { foldDanish } from "./normalize.js";

export { datesMatch } from "./datesMatch.js";

/**
 * Every date or time mentioned in a member's Danish message, as local "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:mm" in `timeZone`, de-duplicated, in order of appearance. A date also present
 * with a time is only reported with the time.
 */
export function extractDates(text: string, ref: Date, timeZone = "Europe/Copenhagen"): string[] {
  if (Number.isNaN(ref.getTime())) throw new RangeError("extractDates needs a valid reference date");
  const wall = wallClock(ref, timeZone);
  const found = resolvePhrases(
    englishPhrases(scanMentions(foldDanish(text), wall, ref, timeZone), wall),
    wall,
  );
  const unique = [...new Set(found)];
  return unique.filter(
    (value) => value.length > 10 || !unique.some((other) => other.startsWith(`${value}T`)),
  );
}
