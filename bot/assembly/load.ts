import { readFile } from "node:fs/promises";
import { TZDate } from "@date-fns/tz";
// Not the package's index, which loads every date-fns function (see danishTime.ts).
import { addDays } from "date-fns/addDays";
import { localDateOf } from "../format/danishTime.js";
import { assemblySchema, WEEKDAYS, type AssemblyFile, type LocalizedText } from "./schema.js";

export type Venue = AssemblyFile["venue"];

export interface Session {
  id: string;
  title: LocalizedText;
  start: Date;
  end: Date;
  venue: Venue;
  agenda?: LocalizedText;
  bring?: LocalizedText;
  cancelled?: boolean;
}

/** The assembly with every session placed in time, sorted by start. */
export interface Assembly extends Omit<AssemblyFile, "sessions" | "rsvpDeadline"> {
  sessions: Session[];
  /** Local date YYYY-MM-DD, the last day to answer the invitation. */
  rsvpDeadline?: string;
}

/** An assembly file that cannot be read or is not valid; `problems` lists what is wrong, one a line. */
export class AssemblyFileError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AssemblyFileError";
  }
}

export async function readAssemblyFile(file: string): Promise<AssemblyFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (error as Error).message;
    throw new AssemblyFileError(`assembly: ${file} could not be read: ${reason}`, [reason], { cause: error });
  }
  const parsed = assemblySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
    throw new AssemblyFileError(`assembly: ${file} is not valid:\n  - ${problems.join("\n  - ")}`, problems);
  }
  return parsed.data;
}

/**
 * The demo anchor: the first anchor weekday at least `minDaysAhead` days after the first start
 * (remembered in the store), so the demo's dates stay put between restarts. Once the demo's
 * last session is over, the anchor moves to after `now`.
 */
export function chooseDemoAnchor(
  file: AssemblyFile,
  firstStart: Date,
  now: Date,
  previous?: string,
): string | undefined {
  if (!file.demoAnchor) return undefined;
  const candidates = [previous, anchorAfter(file, file.demoAnchor, firstStart)];
  const current = candidates.find((anchor) => anchor && lastSessionEnd(resolveAssembly(file, anchor)) > now);
  return current ?? anchorAfter(file, file.demoAnchor, now);
}

function anchorAfter(
  file: AssemblyFile,
  demoAnchor: NonNullable<AssemblyFile["demoAnchor"]>,
  from: Date,
): string {
  let day = addDays(new TZDate(from.getTime(), file.timeZone), demoAnchor.minDaysAhead);
  const target = (WEEKDAYS.indexOf(demoAnchor.weekday) + 1) % 7;
  while (day.getDay() !== target) day = addDays(day, 1);
  return localDateOf(day, file.timeZone);
}

export function resolveAssembly(file: AssemblyFile, demoAnchor?: string): Assembly {
  const sessions = file.sessions
    .map((session) => {
      const date =
        typeof session.date === "string"
          ? session.date
          : shiftDate(requireAnchor(demoAnchor), session.date.daysAfterAnchor);
      return {
        id: session.id,
        title: session.title,
        start: zonedTime(date, session.start, file.timeZone),
        end: zonedTime(date, session.end, file.timeZone),
        venue: session.venue ?? file.venue,
        agenda: session.agenda,
        bring: session.bring,
        cancelled: session.cancelled,
      };
    })
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  const deadline = file.rsvpDeadline;
  const firstStart = new TZDate(sessions[0]!.start.getTime(), file.timeZone);
  return {
    ...file,
    sessions,
    rsvpDeadline:
      typeof deadline === "object"
        ? localDateOf(addDays(firstStart, -deadline.daysBeforeFirstSession), file.timeZone)
        : deadline,
  };
}

export function lastSessionEnd(assembly: Assembly): Date {
  return assembly.sessions[assembly.sessions.length - 1]!.end;
}

function requireAnchor(anchor: string | undefined): string {
  if (!anchor) throw new Error("assembly: sessions use daysAfterAnchor, but no demo anchor was chosen");
  return anchor;
}

function zonedTime(date: string, time: string, timeZone: string): Date {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return new Date(new TZDate(year, month - 1, day, hour, minute, timeZone).getTime());
}

function shiftDate(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return localDateOf(new Date(Date.UTC(year, month - 1, day + days)), "UTC");
}
