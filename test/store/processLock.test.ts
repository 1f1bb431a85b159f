import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireProcessLock, type ProcessLock } from "../../bot/store/processLock.js";

const hasProc = existsSync("/proc/self/stat");
let dir: string;
let file: string;
let logged: string[];
const held: ProcessLock[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-lock-"));
  file = join(dir, "db.json");
  logged = [];
});

afterEach(async () => {
  await Promise.all(held.splice(0).map((lock) => lock.release().catch(() => undefined)));
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

async function acquire(): Promise<ProcessLock> {
  const lock = await acquireProcessLock({ file, log: (message) => logged.push(message) });
  held.push(lock);
  return lock;
}

function inUse(pid: number, host: string): string {
  return `store: ${file} is in use by another borgerbot process (pid ${pid} on host ${host}). Stop that process, or set DB_FILE to another file.`;
}

async function startTicks(pid: number): Promise<number | null> {
  if (!hasProc) return null;
  const line = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(line.slice(line.lastIndexOf(")") + 2).split(" ")[19]);
}

async function lockOnDisk(): Promise<unknown> {
  return JSON.parse(await readFile(`${file}.lock`, "utf8")) as unknown;
}

async function ourRecord(): Promise<unknown> {
  return { pid: process.pid, hostname: hostname(), startTicks: await startTicks(process.pid) };
}

/** The pid of a process that has exited (and been reaped), so nothing runs under it. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

async function sleepingChild(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  await new Promise((resolve) => child.once("spawn", resolve));
  return child.pid!;
}

describe("process lock", () => {
  it("writes our pid, hostname and start ticks to the lock file", async () => {
    await acquire();
    expect(await lockOnDisk()).toEqual(await ourRecord());
    expect(logged).toEqual([]);
  });

  it("takes over a lock left by a dead process at once and says so", async () => {
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startTicks: 12345 }));
    const started = Date.now();
    await acquire();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(logged).toEqual([
      `store: took over the stale lock of pid ${pid} on ${file}.lock (that process is no longer running)`,
    ]);
    expect(await lockOnDisk()).toEqual(await ourRecord());
    expect(await readdir(dir)).toEqual(["db.json.lock"]);
  });

  it("refuses a lock held by another live process", async () => {
    const pid = await sleepingChild();
    const record = { pid, hostname: hostname(), startTicks: await startTicks(pid) };
    await writeFile(`${file}.lock`, JSON.stringify(record));
    await expect(acquire()).rejects.toThrow(inUse(pid, hostname()));
    expect(await lockOnDisk()).toEqual(record);
  });

  it("refuses a lock without start ticks whose pid is alive, since it cannot tell it apart", async () => {
    const pid = await sleepingChild();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startTicks: null }));
    await expect(acquire()).rejects.toThrow(inUse(pid, hostname()));
  });

  it.skipIf(!hasProc)("takes over a lock whose pid now belongs to a process started later", async () => {
    const pid = await sleepingChild();
    const reused = { pid, hostname: hostname(), startTicks: (await startTicks(pid))! - 1 };
    await writeFile(`${file}.lock`, JSON.stringify(reused));
    await acquire();
    expect(logged).toEqual([
      `store: took over the stale lock of pid ${pid} on ${file}.lock (that process is no longer running)`,
    ]);
  });

  it.skipIf(!hasProc)(
    "takes over a lock with our own pid from an earlier process, as after a container restart",
    async () => {
      const earlier = { pid: process.pid, hostname: hostname(), startTicks: 1 };
      await writeFile(`${file}.lock`, JSON.stringify(earlier));
      await acquire();
      expect(await lockOnDisk()).toEqual(await ourRecord());
    },
  );

  it("refuses a second lock on the same file in the same process", async () => {
    await acquire();
    await expect(acquire()).rejects.toThrow(inUse(process.pid, hostname()));
  });

  it("lets exactly one of two simultaneous acquires in one process win", async () => {
    const results = await Promise.allSettled([acquire(), acquire()]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((results.find((result) => result.status === "rejected") as PromiseRejectedResult).reason).toEqual(
      new Error(inUse(process.pid, hostname())),
    );
  });

  it("lets exactly one of two simultaneous takeovers of a stale lock win", async () => {
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startTicks: null }));
    const results = await Promise.allSettled([acquire(), acquire()]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(logged).toHaveLength(1);
    expect(await readdir(dir)).toEqual(["db.json.lock"]);
  });

  it("refuses a lock from another host even if its pid is not running here", async () => {
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: "other-host", startTicks: 1 }));
    await expect(acquire()).rejects.toThrow(inUse(pid, "other-host"));
  });

  it("can be acquired again after release, and release may be called twice", async () => {
    const first = await acquire();
    await first.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    await first.release();
    await acquire();
    expect(await lockOnDisk()).toEqual(await ourRecord());
  });

  it("leaves a lock alone on release once it is no longer ours", async () => {
    const lock = await acquire();
    const pid = await sleepingChild();
    await rm(`${file}.lock`);
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startTicks: null }));
    await lock.release();
    expect(await lockOnDisk()).toEqual({ pid, hostname: hostname(), startTicks: null });
  });

  it("does not release a lock taken again in this process through an earlier handle", async () => {
    const first = await acquire();
    await rm(`${file}.lock`); // removed by hand while the first handle still exists
    await acquire();
    await first.release();
    expect(await lockOnDisk()).toEqual(await ourRecord());
  });

  it.each([
    ["truncated JSON", '{"pid":12'],
    ["an empty file", ""],
    ["a record with pid 0", JSON.stringify({ pid: 0, hostname: hostname(), startTicks: null })],
  ])("takes over a lock file holding %s, left by a crash while it was written", async (_, content) => {
    await writeFile(`${file}.lock`, content);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, longAgo, longAgo);
    await acquire();
    expect(logged).toEqual([
      `store: took over the unreadable lock ${file}.lock (left by a crash while it was written)`,
    ]);
    expect(await lockOnDisk()).toEqual(await ourRecord());
  });

  it("waits a moment before taking over an unreadable lock that was only just written", async () => {
    await writeFile(`${file}.lock`, "");
    const started = Date.now();
    await acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await lockOnDisk()).toEqual(await ourRecord());
  });

  it("removes a lock directory of the older proper-lockfile version once it is stale", async () => {
    await mkdir(`${file}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, longAgo, longAgo);
    await acquire();
    expect(logged).toEqual([
      `store: removed the stale lock directory ${file}.lock of an older borgerbot version`,
    ]);
    expect((await stat(`${file}.lock`)).isFile()).toBe(true);
  });

  it("refuses a lock directory of the older version that is still being refreshed", async () => {
    await mkdir(`${file}.lock`);
    await expect(acquire()).rejects.toThrow(
      `store: ${file} is in use by another borgerbot process (an older version's lock directory ${file}.lock, updated 0 s ago). Stop that process, or set DB_FILE to another file.`,
    );
  });

  it("clears a takeover left by a process that died during it", async () => {
    const pid = await deadPid();
    const record = JSON.stringify({ pid, hostname: hostname(), startTicks: null });
    await writeFile(`${file}.lock`, record);
    await writeFile(`${file}.lock.takeover`, record);
    await acquire();
    expect(await lockOnDisk()).toEqual(await ourRecord());
    expect(await readdir(dir)).toEqual(["db.json.lock"]);
  });

  it("lets exactly one of several processes racing for a stale lock win", async () => {
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startTicks: null }));
    const go = join(dir, "go");
    // Each child loads the module, says it is ready, and tries to lock as soon as `go` exists,
    // so the attempts overlap instead of following tsx's start-up one after another.
    const script = `
      import { existsSync } from "node:fs";
      import { acquireProcessLock } from ${JSON.stringify(new URL("../../bot/store/processLock.ts", import.meta.url).href)};
      console.log("ready");
      while (!existsSync(${JSON.stringify(go)})) await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        await acquireProcessLock({ file: ${JSON.stringify(file)}, log: () => undefined });
        console.log("won");
        setInterval(() => {}, 1000);
      } catch (error) {
        console.log(error.message);
      }`;
    const racers = Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: process.cwd(),
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      const lines: string[] = [];
      const waiting: { count: number; resolve: () => void }[] = [];
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        lines.push(...chunk.split("\n").filter((line) => line !== ""));
        for (const wait of waiting) if (lines.length >= wait.count) wait.resolve();
      });
      const linesSaid = (count: number) =>
        new Promise<void>((resolve) => {
          if (lines.length >= count) resolve();
          else waiting.push({ count, resolve });
        });
      return { child, lines, ready: linesSaid(1), done: linesSaid(2) };
    });
    await Promise.all(racers.map((racer) => racer.ready));
    await writeFile(go, "");
    await Promise.all(racers.map((racer) => racer.done));
    const outcomes = racers.map((racer) => racer.lines[1]);
    expect(outcomes.filter((line) => line === "won")).toHaveLength(1);
    const winner = racers[outcomes.indexOf("won")]!.child.pid!;
    for (const line of outcomes.filter((outcome) => outcome !== "won")) {
      expect(line).toBe(inUse(winner, hostname()));
    }
  });
});
