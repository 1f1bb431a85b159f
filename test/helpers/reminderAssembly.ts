import { readAssemblyFile, resolveAssembly, type Assembly } from "../../bot/assembly/load.js";
import type { AssemblyFile } from "../../bot/assembly/schema.js";

const demo = await readAssemblyFile("data/assembly.json");

type SessionFile = AssemblyFile["sessions"][number];

/** The demo assembly with fixed sessions and the default reminder settings, as a test of reminders needs them. */
export function assemblyWith(
  sessions: Array<Partial<SessionFile> & { id: string; date: string; start: string; end: string }>,
  reminders: Partial<AssemblyFile["reminders"]> = {},
  rsvpDeadline?: string,
): Assembly {
  return resolveAssembly({
    ...demo,
    demoAnchor: undefined,
    rsvpDeadline,
    reminders: {
      ...demo.reminders,
      hoursBefore: [48, 3],
      quietHours: { start: "21:00", end: "08:00" },
      feedbackDelayMinutes: 30,
      invitationNudgeDaysBefore: 3,
      ...reminders,
    },
    sessions: sessions.map((session) => ({ title: `Møde ${session.id}`, ...session })),
  });
}
