import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readDataFile, Store } from "../../bot/store/store.js";
import { postSms, smsParams, twimlMessages } from "../helpers/http.js";
import { organizerApi } from "../helpers/organizerApi.js";
import { freePort, killAllServerProcesses, ServerProcess } from "../helpers/serverProcess.js";

/**
 * Disks that cannot take a write, under the real server (a child process, as `npm start` runs
 * it): a data directory that is read-only at start, one whose file system turns read-only
 * while the server runs (ext4 with errors=remount-ro, after a file system error), and a full
 * one (a small tmpfs). Mounting needs root; where it is not allowed the tests say so and are
 * skipped.
 */

const APOLOGY = "Beklager, noget gik galt hos os. Prøv igen om lidt.";
const ANNA = "+4520200001";
const BO = "+4520200002";

function run(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const probeDir = join(tmpdir(), `borgerbot-disk-probe-${process.pid}`);
execFileSync("mkdir", ["-p", probeDir]);
const canMountTmpfs = (() => {
  if (process.getuid?.() !== 0) return false;
  if (!run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probeDir])) return false;
  const remounts = run("mount", ["-o", "remount,ro", probeDir]);
  run("umount", [probeDir]);
  return remounts;
})();
/** ext4 on a loop device, whose errors=remount-ro turns it read-only under open files, as a failing disk does. */
const canFailExt4 = (() => {
  if (!canMountTmpfs || !existsSync("/sys/fs/ext4")) return false;
  const image = `${probeDir}.img`;
  const ok =
    run("truncate", ["-s", "8M", image]) &&
    run("mkfs.ext4", ["-q", "-F", image]) &&
    run("mount", ["-o", "loop,errors=remount-ro", image, probeDir]);
  if (ok) run("umount", [probeDir]);
  run("rm", ["-f", image]);
  return ok;
})();
run("rmdir", [probeDir]);
if (!canMountTmpfs) console.log("disk tests skipped: mounting a tmpfs is not permitted here (needs root)");
else if (!canFailExt4)
  console.log(
    "read-only-while-running test skipped: no ext4 on a loop device here (needs root and /dev/loop*)",
  );

let dir: string;
const mounted: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-disk-"));
});

afterEach(async () => {
  await killAllServerProcesses();
  // Lazily, if a failure left something open on it, so the next test's directory is not under it.
  for (const target of mounted.splice(0).reverse()) {
    if (!run("umount", [target])) run("umount", ["-l", target]);
  }
  await rm(dir, { recursive: true, force: true });
});

async function mountTmpfs(size: string): Promise<string> {
  const target = join(dir, "disk");
  await mkdir(target);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", target]);
  mounted.push(target);
  return target;
}

/** An ext4 file system in an image file, mounted so that an error turns it read-only. */
async function mountExt4(): Promise<{ target: string; fail(): void; repairAndMount(): void }> {
  const target = join(dir, "disk");
  const image = join(dir, "disk.img");
  await mkdir(target);
  execFileSync("truncate", ["-s", "16M", image]);
  execFileSync("mkfs.ext4", ["-q", "-F", image]);
  const mount = () => {
    execFileSync("mount", ["-o", "loop,errors=remount-ro", image, target]);
    mounted.push(target);
  };
  mount();
  return {
    target,
    /** What the kernel does on an I/O error: the file system goes read-only, open files too. */
    fail() {
      const device = execFileSync("findmnt", ["-n", "-o", "SOURCE", target], { encoding: "utf8" }).trim();
      execFileSync("sh", ["-c", `echo 1 > /sys/fs/ext4/${basename(device)}/trigger_fs_error`]);
      const options = execFileSync("findmnt", ["-n", "-o", "OPTIONS", target], { encoding: "utf8" });
      if (!/\bro\b|emergency_ro/.test(options))
        throw new Error(`the file system did not turn read-only: ${options}`);
    },
    /** The operator's repair: unmount, check the file system, mount it again read-write. */
    repairAndMount() {
      execFileSync("umount", [target]);
      mounted.splice(mounted.indexOf(target), 1);
      // e2fsck exits 1 when it fixed something, which is the point here.
      run("e2fsck", ["-fy", image]);
      mount();
    },
  };
}

function spawnServer(dbFile: string, port: number, hold = true): ServerProcess {
  return ServerProcess.spawn({ dbFile, port, hold });
}

async function startServer(server: ServerProcess): Promise<ServerProcess> {
  await server.release();
  await server.ready(60_000);
  return server;
}

async function importCsv(server: ServerProcess, rows: string[]): Promise<Response> {
  return organizerApi(server.baseUrl).importCsv(["navn;telefon", ...rows].join("\n"));
}

async function sms(server: ServerProcess, from: string, body: string, sid?: string): Promise<string[]> {
  const res = await postSms(server.baseUrl, smsParams(from, body, sid));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/xml");
  return twimlMessages(await res.text());
}

async function health(server: ServerProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.baseUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.skipIf(!canMountTmpfs)("a read-only data directory", () => {
  it("stops the start with an error that names the data file", async () => {
    const disk = await mountTmpfs("1m");
    const dbFile = join(disk, "db.json");
    // A data directory that held data before it went read-only.
    const store = await Store.open({ file: dbFile, now: () => new Date() });
    try {
      await store.update((data) =>
        data.history.push({ at: new Date().toISOString(), actor: "system", change: "before" }),
      );
    } finally {
      await store.close();
    }
    execFileSync("mount", ["-o", "remount,ro", disk]);

    const server = spawnServer(dbFile, await freePort(), false);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.output).toContain(
      `borgerbot could not start:\nstore: cannot write ${dbFile}: EROFS: read-only file system`,
    );
    expect(server.output).toContain("The directory of DB_FILE must be writable.");
  }, 120_000);
});

describe.skipIf(!canFailExt4)("a data directory that turns read-only while the server runs", () => {
  it("apologises by SMS, refuses an import, reports 503, and nothing refused shows up after the repair", async () => {
    const disk = await mountExt4();
    const dbFile = join(disk.target, "db.json");
    const port = await freePort();
    const server = await startServer(spawnServer(dbFile, port));
    // Loads while the first one serves; started on the repaired disk.
    const next = spawnServer(dbFile, port);
    expect((await (await importCsv(server, ["Anna;" + ANNA])).json()) as unknown).toEqual({
      imported: 1,
      updated: 0,
      rejected: [],
    });
    expect((await sms(server, ANNA, "ja"))[0]).toMatch(/^Tak, du er tilmeldt\./);

    disk.fail();
    const refusedSid = `SM${"7".repeat(32)}`;
    expect(await sms(server, ANNA, "nej", refusedSid)).toEqual([APOLOGY]);
    const imported = await importCsv(server, ["Ghost;+4520200099"]);
    expect(imported.status).toBe(503);
    expect(imported.headers.get("content-type")).toContain("application/json");
    expect(await imported.json()).toEqual({
      error: `store: ${dbFile} cannot be written: the disk is read-only or the file may not be written. Nothing was saved; the change was refused.`,
    });
    expect(await health(server)).toMatchObject({
      status: 503,
      body: { status: "store-unwritable", store: { writable: false } },
    });
    // Not acknowledged, so not applied either: the server's own view is unchanged.
    const api = organizerApi(server.baseUrl);
    expect((await api.participants()).participants.map((p) => [p.name, p.invitation])).toEqual([
      ["Anna", "accepted"],
    ]);

    await server.kill9();
    disk.repairAndMount();
    const restarted = await startServer(next);
    const after = organizerApi(restarted.baseUrl);
    expect((await after.participants()).participants.map((p) => [p.name, p.invitation])).toEqual([
      ["Anna", "accepted"],
    ]);
    const data = await readDataFile(dbFile);
    expect(data.inbound.map((entry) => entry.sid)).not.toContain(refusedSid);
    expect(data.outbox.filter((row) => row.purpose === "reply").map((row) => row.text)).not.toContainEqual(
      expect.stringMatching(/^Tak for dit svar/),
    );
    expect(await health(restarted)).toMatchObject({ status: 200, body: { status: "ok" } });
  }, 120_000);
});

describe.skipIf(!canMountTmpfs)("a full disk", () => {
  it("refuses an import, and the refused people never appear once there is room again", async () => {
    const disk = await mountTmpfs("1m");
    const dbFile = join(disk, "db.json");
    const port = await freePort();
    const server = await startServer(spawnServer(dbFile, port));
    const next = spawnServer(dbFile, port);
    expect((await importCsv(server, ["Anna;" + ANNA])).status).toBe(200);

    const filler = join(disk, "filler");
    await writeFile(filler, Buffer.alloc(1024 * 1024)).catch(() => undefined);
    // Many rows, so the commit cannot fit in the log's last, partly used page.
    const ghosts = Array.from({ length: 200 }, (_, i) => `Ghost ${i};+45203${String(i).padStart(5, "0")}`);
    const refused = await importCsv(server, ghosts);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: `store: ${dbFile} cannot be written: the disk is full. Nothing was saved; the change was refused.`,
    });
    // No SMS or health probe here: a small append can still fit in the last, partly used page of
    // the log on a full tmpfs. The read-only test covers the apology and the 503.

    await rm(filler);
    expect(await health(server)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await importCsv(server, ["Bo;" + BO])).status).toBe(200);
    const names = async (on: ServerProcess) =>
      (await organizerApi(on.baseUrl).participants()).participants.map((p) => p.name);
    expect(await names(server)).toEqual(["Anna", "Bo"]);

    await server.kill9();
    const restarted = await startServer(next);
    expect(await names(restarted)).toEqual(["Anna", "Bo"]);
    expect((await readDataFile(dbFile)).participants.map((p) => p.name)).toEqual(["Anna", "Bo"]);
  }, 120_000);
});
