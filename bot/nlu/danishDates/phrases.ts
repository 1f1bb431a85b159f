/**
 * Times onto dates: the mentions of a message become the English phrases the recognizer resolves.
 *
 * Rules chosen where Danish is ambiguous:
 * - Hours 1–7 without a day-part word mean afternoon/evening (assemblies meet weekday evenings
 *   17–21 and Saturdays 10–16, so "kl. 6" is 18:00 and "halv otte" 19:30); 8–12 are taken as
 *   written. "aften"/"eftermiddag" force PM, "morgen"/"formiddag"/"tidlig" force AM, and a
 *   leading zero ("07.30") means the clock was written in 24-hour form.
 * - A time belongs to the nearest date in the message that has no time yet; a time with no date
 *   at all is its next occurrence (today if still ahead, else tomorrow).
 */
import { englishTime } from "./english.js";
import type { DateMention, DayPart, Mention, TimeMention } from "./scan.js";
import type { WallClock } from "./wallClock.js";

/** 24-hour clock after the AM/PM rule above. */
function clockHour(time: TimeMention, dayPart: DayPart | undefined): number {
  if (time.fixed) return time.hour;
  if (dayPart === "pm") return time.hour < 12 ? time.hour + 12 : 12;
  if (dayPart === "am") return time.hour;
  return time.hour <= 7 ? time.hour + 12 : time.hour;
}

interface Phrase {
  start: number;
  english: string;
}

function distance(a: Mention, b: Mention): number {
  return a.end <= b.start ? b.start - a.end : Math.max(0, a.start - b.end);
}

/**
 * The English phrases of a message's mentions, in order of appearance. Each time joins the nearest
 * date that has no time yet (or the nearest date at all); lone times become today/tomorrow.
 */
export function englishPhrases(mentions: Mention[], wall: WallClock): string[] {
  const dates = mentions.filter((mention): mention is DateMention => mention.kind === "date");
  const times = mentions.filter((mention): mention is TimeMention => mention.kind === "time");
  const timesOf = new Map<DateMention, TimeMention[]>();
  const lone: Phrase[] = [];
  for (const time of times) {
    const open = dates.filter((date) => !date.timed && !timesOf.has(date));
    const candidates = open.length > 0 ? open : dates.filter((date) => !date.timed);
    const nearest = candidates.sort((a, b) => distance(a, time) - distance(b, time))[0];
    if (nearest) timesOf.set(nearest, [...(timesOf.get(nearest) ?? []), time]);
    else lone.push(loneTimePhrase(time, wall));
  }
  const dated = dates.flatMap((date): Phrase[] => {
    const attached = timesOf.get(date);
    if (!attached) return [{ start: date.start, english: date.english }];
    return attached.map((time) => ({
      start: Math.min(date.start, time.start),
      english: `${date.english} at ${englishTime(clockHour(time, time.dayPart ?? date.dayPart), time.minute)}`,
    }));
  });
  return [...dated, ...lone].sort((a, b) => a.start - b.start).map((phrase) => phrase.english);
}

function loneTimePhrase(time: TimeMention, wall: WallClock): Phrase {
  const hour = clockHour(time, time.dayPart);
  const stillAhead = hour * 60 + time.minute >= wall.hour * 60 + wall.minute;
  return {
    start: time.start,
    english: `${stillAhead ? "today" : "tomorrow"} at ${englishTime(hour, time.minute)}`,
  };
}
