import type { Assembly } from "../assembly/load.js";
import type { DbData } from "../store/schema.js";

/**
 * Compares the assembly file with the schedule the last start saw, keeps each session that was
 * moved or cancelled while it was still ahead (a session gone from the file counts as
 * cancelled), and remembers the schedule as it is now. Returns how many changes it found.
 */
export function recordScheduleChanges(data: DbData, assembly: Assembly, now: Date): number {
  const before = data.meta.schedule ?? {};
  const current = new Map(assembly.sessions.map((session) => [session.id, session]));
  let found = 0;
  for (const [sessionId, seen] of Object.entries(before)) {
    // Past sessions are history; the demo's moving dates are past by the time they move.
    if (seen.cancelled || new Date(seen.start) <= now) continue;
    const session = current.get(sessionId);
    const cancelled = !session || session.cancelled === true;
    if (!cancelled && session.start.toISOString() === seen.start) continue;
    data.sessionChanges.push({
      sessionId,
      from: seen.start,
      ...(cancelled ? {} : { to: session.start.toISOString() }),
      seenAt: now.toISOString(),
    });
    found++;
  }
  const schedule = Object.fromEntries(
    assembly.sessions.map((session) => [
      session.id,
      { start: session.start.toISOString(), ...(session.cancelled ? { cancelled: true } : {}) },
    ]),
  );
  if (JSON.stringify(schedule) !== JSON.stringify(before)) data.meta.schedule = schedule;
  return found;
}
