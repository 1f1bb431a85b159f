import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseDemoAnchor, readAssemblyFile, resolveAssembly } from "../../bot/assembly/load.js";
import { assemblyJsonSchema } from "../../bot/assembly/writeJsonSchema.js";

const DEMO = "data/assembly.json";

async function writeVariant(change: (assembly: Record<string, unknown>) => void): Promise<string> {
  const assembly = JSON.parse(await readFile(DEMO, "utf8")) as Record<string, unknown>;
  change(assembly);
  const file = join(await mkdtemp(join(tmpdir(), "borgerbot-assembly-")), "assembly.json");
  await writeFile(file, JSON.stringify(assembly));
  return file;
}

describe("the demo assembly", () => {
  it("has 36 members and 5 sessions mixing weekday evenings and Saturdays over 2-3 months", async () => {
    const file = await readAssemblyFile(DEMO);
    const now = new Date("2026-11-28T10:00:00Z");
    const assembly = resolveAssembly(file, chooseDemoAnchor(file, now, now));
    expect(assembly.members).toBe(36);
    expect(assembly.sessions).toHaveLength(5);
    const local = assembly.sessions.map((s) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Copenhagen",
        weekday: "short",
        hour: "2-digit",
      }).format(s.start),
    );
    expect(local).toEqual(["Tue, 17", "Sat, 10", "Thu, 17", "Sat, 10", "Sat, 10"]);
    const spanDays =
      (assembly.sessions[4]!.start.getTime() - assembly.sessions[0]!.start.getTime()) / 86_400_000;
    expect(spanDays).toBeGreaterThanOrEqual(55);
    expect(spanDays).toBeLessThanOrEqual(92);
  });

  it.each(["2026-11-28T10:00:00Z", "2027-03-20T10:00:00Z", "2027-10-30T10:00:00Z"])(
    "never shows an assembly that is over (first start long ago, now %s)",
    async (nowIso) => {
      const file = await readAssemblyFile(DEMO);
      const firstStart = new Date("2026-01-05T10:00:00Z");
      const now = new Date(nowIso);
      const anchor = chooseDemoAnchor(file, firstStart, now, "2026-01-20");
      expect(resolveAssembly(file, anchor).sessions[0]!.start.getTime()).toBeGreaterThan(now.getTime());
    },
  );

  it("keeps the anchor between restarts while the demo is still running", async () => {
    const file = await readAssemblyFile(DEMO);
    const first = new Date("2026-11-28T10:00:00Z");
    const anchor = chooseDemoAnchor(file, first, first);
    expect(chooseDemoAnchor(file, first, new Date("2027-01-10T10:00:00Z"), anchor)).toBe(anchor);
  });

  it("keeps Saturday sessions at 10-16 local time on both sides of the change to summer time", async () => {
    const file = await readAssemblyFile(DEMO);
    const assembly = resolveAssembly(file, "2027-02-23");
    const hours = assembly.sessions.map((s) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Copenhagen",
        hour: "2-digit",
        minute: "2-digit",
      }).format(s.start),
    );
    expect(hours).toEqual(["17:00", "10:00", "17:00", "10:00", "10:00"]);
    expect(assembly.sessions[4]!.start.toISOString()).toBe("2027-04-24T08:00:00.000Z");
  });
});

describe("readAssemblyFile", () => {
  it("names the file, the path and the problem", async () => {
    const file = await writeVariant((a) => {
      (a.sessions as Array<Record<string, unknown>>)[2]!.end = "16:00";
      delete a.venue;
    });
    await expect(readAssemblyFile(file)).rejects.toThrow(
      new RegExp(
        `assembly: ${file} is not valid:[\\s\\S]*venue[\\s\\S]*sessions\\.2\\.end: start must be before end`,
      ),
    );
  });

  it("refuses an info text too long for two SMS", async () => {
    const file = await writeVariant((a) => ((a.info as Record<string, string>).food = "x".repeat(301)));
    await expect(readAssemblyFile(file)).rejects.toThrow("info.food");
  });

  it("says so when the file is missing", async () => {
    await expect(readAssemblyFile("data/nope.json")).rejects.toThrow(
      "assembly: data/nope.json could not be read: does not exist",
    );
  });
});

describe("the published JSON Schema", () => {
  it("is up to date with the schema in code (run npm run schema)", async () => {
    const published = JSON.parse(await readFile("data/assembly.schema.json", "utf8")) as unknown;
    expect(published).toEqual(assemblyJsonSchema());
  });
});
