import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeInterruptedWrites } from "../../bot/store/interruptedWrites.js";

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-tmpfiles-"));
  file = join(dir, "db.json");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs write-file-atomic in a child that is killed right after it created its temp file. */
async function interruptedWrite(target: string): Promise<void> {
  const script = `
    const writeFileAtomic = require("write-file-atomic");
    writeFileAtomic(${JSON.stringify(target)}, "personal data", {
      tmpfileCreated: () => process.kill(process.pid, "SIGKILL"),
    });`;
  const child = spawn(process.execPath, ["-e", script], { cwd: process.cwd(), stdio: "inherit" });
  const signal = await new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  expect(signal).toBe("SIGKILL");
}

describe("removeInterruptedWrites", () => {
  it("removes the temp files a killed write left for the data file and its key", async () => {
    await writeFile(file, "{}");
    await interruptedWrite(file);
    await interruptedWrite(`${file}.key`);
    const left = (await readdir(dir)).filter((name) => name !== "db.json");
    expect(left).toHaveLength(2);
    expect(left.every((name) => /^db\.json(\.key)?\.\d+$/.test(name))).toBe(true);

    expect(await removeInterruptedWrites(file)).toEqual(left.sort());
    expect(await readdir(dir)).toEqual(["db.json"]);
  });

  it("recognises the names write-file-atomic makes in this process too", async () => {
    const getTmpname = (writeFileAtomic as unknown as { _getTmpname: (name: string) => string })._getTmpname;
    const names = [getTmpname(file), getTmpname(file), getTmpname(`${file}.key`)];
    for (const name of names) await writeFile(name, "x");
    expect(await removeInterruptedWrites(file)).toEqual(
      names.map((name) => name.slice(dir.length + 1)).sort(),
    );
  });

  it("leaves every other file in the directory alone, however alike its name", async () => {
    const keep = [
      "db.json",
      "db.json.key",
      "db.json.lock",
      "db.json.lock.takeover",
      "db.json.lock.123",
      "db.json.bak",
      "db.json.123.bak",
      "db.json.12a",
      "db.json.0123",
      "db.json.4294967296",
      "db.json.-1",
      "db.json..123",
      "db.json.key.bak",
      "db.json.key.0x1f",
      "xdb.json.123",
      "other.json.123",
      "db.jsonx.123",
      "db.json123",
    ];
    for (const name of keep) await writeFile(join(dir, name), "x");
    await mkdir(join(dir, "db.json.77"));
    await writeFile(join(dir, "db.json.4294967295"), "x");

    expect(await removeInterruptedWrites(file)).toEqual(["db.json.4294967295"]);
    expect((await readdir(dir)).sort()).toEqual([...keep, "db.json.77"].sort());
  });

  it("finds nothing in a directory that does not exist yet", async () => {
    expect(await removeInterruptedWrites(join(dir, "missing", "db.json"))).toEqual([]);
  });

  it("removes the leftovers beside the real file when the data file is a symlink", async () => {
    const real = join(dir, "real");
    await mkdir(real);
    await writeFile(join(real, "target.json"), "{}");
    await symlink(join(real, "target.json"), file);
    await interruptedWrite(file);
    const [left] = (await readdir(real)).filter((name) => name !== "target.json");
    expect(left).toMatch(/^target\.json\.\d+$/);

    expect(await removeInterruptedWrites(file)).toEqual([left]);
    expect(await readdir(real)).toEqual(["target.json"]);
  });
});
