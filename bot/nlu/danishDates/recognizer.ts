/** The bridge to the Microsoft recognizer's English model, which resolves each phrase against the reference time. */
import { createRequire } from "node:module";
import type { IDateTimeModel } from "@microsoft/recognizers-text-date-time";
import { type WallClock, isoDate } from "./wallClock.js";

/**
 * The recognizer reads the reference Date through its local-time getters, so it gets a Date whose
 * local fields are the Copenhagen wall clock, whatever process.env.TZ is. Its results are local
 * wall-clock strings too, and calendar arithmetic ("i morgen" across a DST change) stays calendar.
 */
function recognizerReference(wall: WallClock): Date {
  return new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

let englishModel: IDateTimeModel | undefined;

/**
 * Building the model compiles hundreds of regular expressions, so it is built once. The library
 * itself (0.3 s and 29 MB) is loaded only then, by the first message with a date in it, rather
 * than at start; a require keeps extractDates synchronous.
 */
function recognizer(): IDateTimeModel {
  if (!englishModel) {
    const { Culture, DateTimeRecognizer } = createRequire(import.meta.url)(
      "@microsoft/recognizers-text-date-time",
    ) as typeof import("@microsoft/recognizers-text-date-time");
    englishModel = new DateTimeRecognizer(Culture.English).getDateTimeModel();
  }
  return englishModel;
}

/** The part of the recognizer's untyped resolution this module reads. */
interface ResolutionValue {
  type: string;
  value: string;
}

function isResolutionValue(value: unknown): value is ResolutionValue {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.type === "string" && typeof record.value === "string";
}

const RESOLVED_VALUE = /^(\d{4}-\d\d-\d\d)(?: (\d\d:\d\d):\d\d)?$/;

/** Each English phrase resolved against the wall clock `wall`; phrases the recognizer cannot resolve are left out. */
export function resolvePhrases(english: readonly string[], wall: WallClock): string[] {
  const reference = recognizerReference(wall);
  const today = isoDate(wall.year, wall.month, wall.day);
  return english
    .map((phrase) => resolve(phrase, reference, today))
    .filter((value): value is string => value !== null);
}

/**
 * Resolves one English phrase to "YYYY-MM-DD" or "YYYY-MM-DDTHH:mm". The recognizer offers the
 * past and the future occurrence of year-less dates and weekdays; the first one not before today wins.
 */
function resolve(english: string, reference: Date, today: string): string | null {
  const whole = recognizer()
    .parse(english, reference)
    .find((result) => result.start === 0 && result.end === english.length - 1);
  const rawValues: unknown = whole?.resolution?.values;
  const values = (Array.isArray(rawValues) ? rawValues : [])
    .filter(isResolutionValue)
    .filter((value) => value.type === "date" || value.type === "datetime")
    .flatMap((value) => {
      const match = RESOLVED_VALUE.exec(value.value);
      return match ? [match[2] ? `${match[1]}T${match[2]}` : match[1]!] : [];
    });
  if (values.length <= 1) return values[0] ?? null;
  return values.find((value) => value.slice(0, 10) >= today) ?? values.at(-1)!;
}
