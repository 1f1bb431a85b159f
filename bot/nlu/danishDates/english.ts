/**
 * The English the recognizer is given: every Danish mention is rewritten as an unambiguous English
 * phrase ("14 March 2027", "5:30pm") built from these names and spellings.
 */
import type { DayMonth } from "./scan.js";
import { pad } from "./wallClock.js";

export const WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

// prettier-ignore
const MONTHS_EN = [
  "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
];

export function englishDate({ day, month, year }: DayMonth): string {
  return `${day} ${MONTHS_EN[month - 1]}${year === undefined ? "" : ` ${year}`}`;
}

/** Unambiguous English clock: "5:30pm" style for the 12-hour half the recognizer would otherwise guess. */
export function englishTime(hour: number, minute: number): string {
  if (hour >= 13) return `${hour}:${pad(minute)}`;
  if (hour === 12) return `12:${pad(minute)}pm`;
  return `${hour === 0 ? 12 : hour}:${pad(minute)}am`;
}
