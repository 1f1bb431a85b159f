import { readAssemblyFile, resolveAssembly, type Assembly } from "../../bot/assembly/load.js";
import type { AssemblyFile } from "../../bot/assembly/schema.js";

const demo = await readAssemblyFile("data/assembly.json");

type SessionFile = AssemblyFile["sessions"][number];

/** The demo assembly with fixed sessions, as a test of reminders needs them. */
export function assemblyWith(
  sessions: Array<Partial<SessionFile> & { id: string; date: string; start: string; end: string }>,
  reminders: Partial<AssemblyFile["reminders"]> = {},
): Assembly {
  return resolveAssembly({
    ...demo,
    demoAnchor: undefined,
    rsvpDeadline: undefined,
    reminders: {
      ...demo.reminders,
      hoursBefore: [48, 3],
      quietHours: { start: "21:00", end: "08:00" },
      ...reminders,
    },
    sessions: sessions.map((session) => ({ title: `Møde ${session.id}`, ...session })),
  });
}
