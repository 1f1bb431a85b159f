import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runOrganizerCli } from "../../bot/cli/organizer.js";
import { createOrganizerClient } from "../../bot/cli/organizerClient.js";
import { useFreshFlowServer } from "../helpers/flowServer.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";

/*
 * POST /api/organizer/reload over the real HTTP server, on a copy of the demo assembly file.
 * With the clock at Saturday 28 November 2026 (11:00 in Copenhagen) the first session, m1, is
 * Tuesday 15 December kl. 17-21 (16:00Z); its 48-hour reminder is due 13 December at 16:00Z.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const ANNA = "+4520304050";
const LIST = "name;phone\nAnna Andersen;20 30 40 50\n";
const OLD_REMINDER_AT = new Date("2026-12-13T16:00:00Z");
/** m1 moved to kl. 18-21: the 48-hour reminder an hour later. */
const NEW_REMINDER_AT = new Date("2026-12-13T17:00:00Z");

const demo = await readFile("data/assembly.json", "utf8");
const dir = await mkdtemp(join(tmpdir(), "borgerbot-reload-"));
const assemblyFile = join(dir, "assembly.json");
afterAll(() => rm(dir, { recursive: true, force: true }));

// Each test's server starts on the demo file as it is; registered before the server's own hook.
beforeEach(() => writeFile(assemblyFile, demo));
const flow = useFreshFlowServer({ now: NOW, env: { ASSEMBLY_FILE: assemblyFile } });

/** The demo file with its first session changed. */
async function writeWithFirstSession(change: Record<string, unknown>) {
  const file = JSON.parse(demo) as { sessions: Array<Record<string, unknown>> };
  Object.assign(file.sessions[0]!, change);
  await writeFile(assemblyFile, JSON.stringify(file));
}

async function acceptedMember() {
  await flow.api.importCsv(LIST);
  await flow.api.invite();
  await flow.sms(ANNA, "JA");
  await flow.sms(ANNA, "nej tak");
}

async function plannedReminders() {
  const res = await flow.api.reminders("?sessionId=m1");
  const { reminders } = (await res.json()) as { reminders: Array<Record<string, unknown>> };
  return reminders.map(({ kind, status, plannedFor }) => ({ kind, status, plannedFor }));
}

const OLD_PLAN = [
  { kind: "reminder", status: "planned", plannedFor: "2026-12-13T16:00:00.000Z" },
  { kind: "reminder", status: "planned", plannedFor: "2026-12-15T13:00:00.000Z" },
  { kind: "feedback", status: "planned", plannedFor: "2026-12-15T20:30:00.000Z" },
];

describe("POST /api/organizer/reload", () => {
  it("answers 401 without the organizer token, and reads nothing", async () => {
    await writeWithFirstSession({ start: "18:00" });
    const commits = flow.server.app.store.commits;
    const res = await fetch(`${flow.server.baseUrl}/api/organizer/reload`, { method: "POST" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "missing or wrong organizer token" });
    expect(flow.server.app.store.commits).toBe(commits);
    expect(await plannedReminders()).toEqual([]);
    expect(flow.server.app.assembly.sessions[0]!.start).toEqual(new Date("2026-12-15T16:00:00Z"));
  });

  it("refuses a file that is not JSON, says why, and keeps the old assembly in force", async () => {
    await acceptedMember();
    const broken = demo.slice(0, 200);
    await writeFile(assemblyFile, broken);
    const reason = (() => {
      try {
        JSON.parse(broken);
        return "parsed";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const res = await flow.api.reload();
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: "invalid-assembly-file",
      message: `assembly: ${assemblyFile} could not be read: ${reason}`,
      problems: [reason],
    });
    expect(await plannedReminders()).toEqual(OLD_PLAN);
    expect(await flow.sms(ANNA, "hvornår er næste møde")).toEqual([
      "Næste møde er tirsdag den 15. december kl. 17-21 på Rådhuset, Byrådssalen. Der er 5 møder tilbage: 15. december, 26. december, 7. januar, 23. januar og 13. februar.",
    ]);
  });

  it("refuses a file the schema rejects, names the problem, and reminds at the old time", async () => {
    await acceptedMember();
    await writeWithFirstSession({ start: "22:00" });
    const res = await flow.api.reload();
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: "invalid-assembly-file",
      message: `assembly: ${assemblyFile} is not valid:\n  - sessions.0.end: start must be before end`,
      problems: ["sessions.0.end: start must be before end"],
    });
    expect(await plannedReminders()).toEqual(OLD_PLAN);
    flow.server.setNow(OLD_REMINDER_AT);
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect((await flow.db()).outbox.filter((m) => m.purpose === "session-change").length).toBe(0);
  });

  it("puts a moved session in force: a notice at once, no reminder for the old time, one for the new", async () => {
    await acceptedMember();
    await writeWithFirstSession({ start: "18:00" });
    const res = await flow.api.reload();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sessions: 5, changes: 1 });
    const notices = (await flow.db()).outbox.filter((message) => message.purpose === "session-change");
    expect(notices.map((message) => [message.to, message.text])).toEqual([
      [
        ANNA,
        "Mødet tirsdag den 15. december er flyttet til tirsdag den 15. december kl. 18-21 på Rådhuset, Byrådssalen. Svar NEJ, hvis du er forhindret.",
      ],
    ]);
    expect(await plannedReminders()).toEqual([
      { kind: "session-change", status: "sent", plannedFor: NOW.toISOString() },
      { kind: "reminder", status: "planned", plannedFor: "2026-12-13T17:00:00.000Z" },
      { kind: "reminder", status: "planned", plannedFor: "2026-12-15T14:00:00.000Z" },
      { kind: "feedback", status: "planned", plannedFor: "2026-12-15T20:30:00.000Z" },
    ]);
    // The dialogs answer from the new file too.
    expect(await flow.sms(ANNA, "hvornår er næste møde")).toEqual([
      "Næste møde er tirsdag den 15. december kl. 18-21 på Rådhuset, Byrådssalen. Der er 5 møder tilbage: 15. december, 26. december, 7. januar, 23. januar og 13. februar.",
    ]);
    flow.server.setNow(OLD_REMINDER_AT);
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    flow.server.setNow(NEW_REMINDER_AT);
    expect(await flow.server.app.scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    const reminders = (await flow.db()).outbox.filter((message) => message.purpose === "reminder");
    expect(reminders.map((message) => message.text)).toEqual([
      "Påmindelse: Velkommen og introduktion er tirsdag den 15. december kl. 18-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.",
    ]);
  });

  it("records a change once when two reloads come at once", async () => {
    await acceptedMember();
    await writeWithFirstSession({ cancelled: true });
    const answers = await Promise.all([flow.api.reload(), flow.api.reload()]);
    expect(await Promise.all(answers.map((res) => res.json()))).toEqual([
      { sessions: 5, changes: 1 },
      { sessions: 5, changes: 0 },
    ]);
    expect((await flow.db()).sessionChanges.toArray()).toEqual([
      { sessionId: "m1", from: "2026-12-15T16:00:00.000Z", seenAt: NOW.toISOString() },
    ]);
    expect((await flow.db()).outbox.filter((m) => m.purpose === "session-change").length).toBe(1);
  });
});

describe("npm run organizer -- reload", () => {
  async function run(): Promise<{ code: number; output: string[] }> {
    const output: string[] = [];
    const client = createOrganizerClient({ baseUrl: flow.server.baseUrl, token: TEST_ORGANIZER_TOKEN });
    const code = await runOrganizerCli(["reload"], client, (line) => output.push(line));
    return { code, output };
  }

  it("says how many sessions the file has and that the members concerned are told of a change", async () => {
    await writeWithFirstSession({ cancelled: true });
    expect(await run()).toEqual({
      code: 0,
      output: [
        "Samlingens fil er indlæst igen, med 5 møder.",
        "1 møde er flyttet eller aflyst. De deltagere, det gælder, får besked.",
      ],
    });
    expect((await run()).output).toEqual([
      "Samlingens fil er indlæst igen, med 5 møder.",
      "Ingen møder er flyttet eller aflyst.",
    ]);
  });

  it("lists what to fix in a file with errors, and fails", async () => {
    await writeWithFirstSession({ start: "22:00", id: "M1" });
    expect(await run()).toEqual({
      code: 1,
      output: [
        "Samlingens fil er ikke indlæst, fordi den har fejl. Den gamle gælder stadig. Ret fejlene, og prøv igen:",
        "  - sessions.0.id: must be lowercase letters, digits and dashes",
        "  - sessions.0.end: start must be before end",
      ],
    });
  });
});
