import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runOrganizerCli, type Ask } from "../../bot/cli/organizer.js";
import { createOrganizerClient, ServerUnreachableError } from "../../bot/cli/organizerClient.js";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { organizerApi, TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

let server: TestServer;
let dir: string;
/** Saturday 28 November 2026, 11:00 in Copenhagen: outside the quiet hours (21:00-08:00). */
const DAYTIME = new Date("2026-11-28T10:00:00Z");
/** 23:30 in Copenhagen. */
const LATE_EVENING = new Date("2026-11-28T22:30:00Z");

beforeAll(async () => {
  server = await startTestServer({
    now: DAYTIME,
    classify: BASIC_INTENTS,
    env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN },
  });
  dir = await mkdtemp(join(tmpdir(), "borgerbot-cli-"));
});
afterAll(() => server.cleanup());

async function run(...args: string[]): Promise<{ code: number; output: string[] }> {
  return runAsking(server, undefined, ...args);
}

/** Against `target`, as on a terminal when `ask` is given: it answers the CLI's questions. */
async function runAsking(
  target: TestServer,
  ask: Ask | undefined,
  ...args: string[]
): Promise<{ code: number; output: string[] }> {
  const output: string[] = [];
  const client = createOrganizerClient({ baseUrl: target.baseUrl, token: TEST_ORGANIZER_TOKEN });
  const code = await runOrganizerCli(args, client, (line) => output.push(line), ask);
  return { code, output };
}

describe("npm run organizer", () => {
  it("imports a file in batches and reports rejected rows by their line in the file", async () => {
    const rows = Array.from({ length: 600 }, (_, i) => `Deltager ${i};${20000000 + i}`);
    rows[549] = "Uden Telefon;";
    const file = join(dir, "deltagere.csv");
    await writeFile(file, `navn;telefon\n${rows.join("\n")}\n`);
    const { code, output } = await run("import", file);
    expect(code).toBe(0);
    expect(output).toEqual(["Importeret: 599 nye, 0 opdaterede, 1 afviste.", "  Række 551: phone is empty"]);
  });

  it("keeps file line numbers right after a name that spans two lines", async () => {
    const file = join(dir, "multiline.csv");
    await writeFile(file, 'name,phone\n"Anna\nHansen",20000001\nBo Berg,\n');
    const { output } = await run("import", file);
    expect(output).toEqual(["Importeret: 0 nye, 1 opdaterede, 1 afviste.", "  Række 4: phone is empty"]);
  });

  it("invites everyone in batches, and nobody twice", async () => {
    expect((await run("invite")).output).toEqual(["Invitationer sendt: 599. Sprunget over: 0."]);
    expect((await run("invite")).output).toEqual(["Invitationer sendt: 0. Sprunget over: 599."]);
  });

  it("prints attendance as CSV for Excel", async () => {
    const { output } = await run("attendance", "--csv");
    expect(output[0]!.startsWith("\uFEFFid;name;phone;invitation;m1;m2;m3;m4;m5;")).toBe(true);
  });

  it("forgets a participant by phone number", async () => {
    expect((await run("forget", "20 00 00 07")).output).toEqual([
      "Deltageren med nummeret +4520000007 er slettet.",
    ]);
    expect((await run("forget", "20 00 00 07")).output).toEqual([
      "Der er ingen deltager med nummeret +4520000007.",
    ]);
  });

  it("explains its usage for an unknown command", async () => {
    expect(await run("frobnicate")).toEqual({
      code: 2,
      output: [
        "Brug: npm run organizer -- import FIL | invite [--force] | attendance [--csv] | reminders [--csv] | outbox | forget TELEFON | reload",
      ],
    });
  });

  it("says clearly when the server is not running", async () => {
    const client = createOrganizerClient({ baseUrl: "http://127.0.0.1:9", token: TEST_ORGANIZER_TOKEN });
    await expect(runOrganizerCli(["outbox"], client, () => undefined)).rejects.toBeInstanceOf(
      ServerUnreachableError,
    );
  });
});

describe("npm run organizer -- invite in the quiet hours", () => {
  /** Its own server per test, since an invite run sends to everyone on the list. */
  let quiet: TestServer;
  const QUESTION =
    "Det er stille periode (21:00-08:00), så beskederne kommer frem om natten. Send alligevel? (j/n) ";
  const NOT_SENT = ["none", "none"];
  const INVITED = ["invited", "invited"];

  beforeEach(async () => {
    quiet = await startTestServer({
      now: DAYTIME,
      classify: BASIC_INTENTS,
      env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN },
    });
    const file = join(dir, "to-nye.csv");
    await writeFile(file, "navn;telefon\nNy Et;30000001\nNy To;30000002\n");
    expect((await runAsking(quiet, undefined, "import", file)).output).toEqual([
      "Importeret: 2 nye, 0 opdaterede, 0 afviste.",
    ]);
  });
  afterEach(() => quiet.cleanup());

  const invitations = async () =>
    (await organizerApi(quiet.baseUrl).participants()).participants.map((p) => p.invitation);
  const outboxSize = async () => (await organizerApi(quiet.baseUrl).outbox()).messages.length;

  it("asks first, and sends nothing on n", async () => {
    quiet.setNow(LATE_EVENING);
    const questions: string[] = [];
    const result = await runAsking(quiet, async (question) => (questions.push(question), "n"), "invite");
    expect(questions).toEqual([QUESTION]);
    expect(result).toEqual({
      code: 1,
      output: ["Intet er sendt. Prøv igen efter kl. 08:00, eller brug --force."],
    });
    expect(await invitations()).toEqual(NOT_SENT);
    expect(await outboxSize()).toBe(0);
  });

  it("asks first, and sends on j", async () => {
    quiet.setNow(LATE_EVENING);
    const questions: string[] = [];
    const result = await runAsking(quiet, async (question) => (questions.push(question), "j"), "invite");
    expect(questions).toEqual([QUESTION]);
    expect(result).toEqual({ code: 0, output: ["Invitationer sendt: 2. Sprunget over: 0."] });
    expect(await invitations()).toEqual(INVITED);
    expect(await outboxSize()).toBe(2);
  });

  it("sends with --force without asking, as a script needs", async () => {
    quiet.setNow(LATE_EVENING);
    const result = await runAsking(quiet, async () => expect.fail("asked with --force"), "invite", "--force");
    expect(result).toEqual({ code: 0, output: ["Invitationer sendt: 2. Sprunget over: 0."] });
    expect(await invitations()).toEqual(INVITED);
  });

  it("sends nothing without a terminal to ask on, and says to use --force", async () => {
    quiet.setNow(LATE_EVENING);
    expect(await runAsking(quiet, undefined, "invite")).toEqual({
      code: 1,
      output: [
        "Det er stille periode (21:00-08:00), så intet er sendt. Prøv igen efter kl. 08:00, eller brug --force.",
      ],
    });
    expect(await invitations()).toEqual(NOT_SENT);
    expect(await outboxSize()).toBe(0);
  });

  it("does not ask outside the quiet hours", async () => {
    const result = await runAsking(quiet, async () => expect.fail("asked outside the quiet hours"), "invite");
    expect(result).toEqual({ code: 0, output: ["Invitationer sendt: 2. Sprunget over: 0."] });
    expect(await invitations()).toEqual(INVITED);
  });
});
