import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOrganizerCli } from "../../bot/cli/organizer.js";
import { createOrganizerClient, ServerUnreachableError } from "../../bot/cli/organizerClient.js";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ classify: BASIC_INTENTS, env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN } });
  dir = await mkdtemp(join(tmpdir(), "borgerbot-cli-"));
});
afterAll(() => server.cleanup());

async function run(...args: string[]): Promise<{ code: number; output: string[] }> {
  const output: string[] = [];
  const client = createOrganizerClient({ baseUrl: server.baseUrl, token: TEST_ORGANIZER_TOKEN });
  const code = await runOrganizerCli(args, client, (line) => output.push(line));
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
        "Brug: npm run organizer -- import FIL | invite | attendance [--csv] | reminders [--csv] | outbox | forget TELEFON",
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
