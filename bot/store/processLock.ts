import { open, readFile, rename, rmdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Who holds the lock; the lock file holds exactly this as JSON. */
interface LockRecord {
  pid: number;
  hostname: string;
  /** Field 22 of /proc/<pid>/stat; null where there is no /proc (macOS, Windows). */
  startTicks: number | null;
}

export interface ProcessLock {
  /** Removes the lock file if it still holds our record. Safe to call more than once. */
  release(): Promise<void>;
}

/**
 * proper-lockfile, which this replaces, used a directory at the same path and refreshed its
 * mtime every 5 s; it called the lock stale after 15 s. A directory left by a crash of the old
 * version is honoured by that rule, so the first start after an upgrade neither fails on it
 * nor steals it from an old version that is still running.
 */
const LEGACY_STALE_MS = 15_000;

/**
 * An unreadable lock is normally one whose writer crashed between creating and writing it,
 * but for a moment it is also what a process starting right now has just created. Writing
 * takes microseconds, so one that is still unreadable after this long is from a crash.
 */
const UNREADABLE_GRACE_MS = 1_000;

/** How long we wait for another process that is taking over the same stale lock. */
const TAKEOVER_WAIT_MS = 2_000;
const POLL_MS = 20;

/**
 * Makes this process the only borgerbot process using `file`, via `${file}.lock`. Unlike a
 * lock that goes stale after a timeout, a lock left by a dead process (kill -9, power cut) is
 * taken over at once, because on the same host we can ask whether its owner still runs.
 * A lock from another host (a shared filesystem) is always refused: its owner cannot be
 * checked from here.
 */
export async function acquireProcessLock(options: {
  file: string;
  log: (message: string) => void;
}): Promise<ProcessLock> {
  const { file, log } = options;
  const lockFile = `${file}.lock`;
  const ours: LockRecord = {
    pid: process.pid,
    hostname: hostname(),
    startTicks: await startTicksOf(process.pid),
  };
  const text = JSON.stringify(ours);
  const deadline = Date.now() + TAKEOVER_WAIT_MS + UNREADABLE_GRACE_MS;

  while (Date.now() < deadline) {
    const created = await createExclusive(lockFile, text);
    if (created !== null) {
      // Someone may have replaced our file while it was still empty (see UNREADABLE_GRACE_MS);
      // then it is theirs, and the next pass refuses.
      if (await holdsOurs(lockFile, text, created)) return lockHandle(lockFile, text, created);
      continue;
    }

    const existing = await readLock(lockFile);
    if (existing.kind === "gone") continue;
    if (existing.kind === "legacy") {
      const age = Date.now() - existing.mtimeMs;
      if (age < LEGACY_STALE_MS) {
        throw new Error(
          `store: ${file} is in use by another borgerbot process (an older version's lock directory ${lockFile}, updated ${Math.round(age / 1000)} s ago). Stop that process, or set DB_FILE to another file.`,
        );
      }
      await rmdir(lockFile).catch(ignoreCodes("ENOENT", "ENOTDIR"));
      log(`store: removed the stale lock directory ${lockFile} of an older borgerbot version`);
      continue;
    }
    if (existing.kind === "unreadable") {
      const wait = existing.mtimeMs + UNREADABLE_GRACE_MS - Date.now();
      if (wait > 0) {
        await sleep(Math.min(wait, POLL_MS * 10));
        continue;
      }
    } else if (!(await isStale(existing.record, ours))) {
      const { pid, hostname } = existing.record;
      throw new Error(
        `store: ${file} is in use by another borgerbot process (pid ${pid} on host ${hostname}). Stop that process, or set DB_FILE to another file.`,
      );
    }

    const took = await takeOver(lockFile, existing.text, ours, text);
    if (took === "busy") await sleep(POLL_MS);
    if (took === "busy" || took === "changed") continue;
    log(
      existing.kind === "unreadable"
        ? `store: took over the unreadable lock ${lockFile} (left by a crash while it was written)`
        : `store: took over the stale lock of pid ${existing.record.pid} on ${lockFile} (that process is no longer running)`,
    );
    return lockHandle(lockFile, text, took);
  }
  throw new Error(`store: could not lock ${file}: ${lockFile} kept changing while we checked it`);
}

/** The inode of a lock file we wrote, so we never take a lock another process made for ours. */
interface Owned {
  dev: number;
  ino: number;
}

/** Returns null when the file already exists. */
async function createExclusive(path: string, text: string): Promise<Owned | null> {
  let handle;
  try {
    handle = await open(path, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw error;
  }
  try {
    await handle.writeFile(text);
    const { dev, ino } = await handle.stat();
    await handle.close();
    return { dev, ino };
  } catch (error) {
    // Disk full, say: do not leave an empty lock behind for the next start to wait on.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

type ReadResult =
  | { kind: "record"; record: LockRecord; text: string }
  /** Empty or not our JSON: a crash between creating the file and writing it. */
  | { kind: "unreadable"; text: string; mtimeMs: number }
  | { kind: "legacy"; mtimeMs: number }
  | { kind: "gone" };

async function readLock(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { kind: "legacy", mtimeMs: info.mtimeMs };
    const text = await readFile(path, "utf8");
    const record = parseRecord(text);
    return record === null
      ? { kind: "unreadable", text, mtimeMs: info.mtimeMs }
      : { kind: "record", record, text };
  } catch (error) {
    // Removed or replaced by a directory between our two calls: look again.
    if (["ENOENT", "EISDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) return { kind: "gone" };
    throw error;
  }
}

function parseRecord(text: string): LockRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { pid, hostname, startTicks } = value as Record<string, unknown>;
  // pid 0 or below would make process.kill signal a process group, not check one process.
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return null;
  if (typeof hostname !== "string" || hostname === "") return null;
  if (startTicks !== null && startTicks !== undefined && typeof startTicks !== "number") return null;
  return { pid, hostname, startTicks: startTicks ?? null };
}

/**
 * Stale means its owner is certainly gone. Anything we cannot check counts as alive: refusing
 * to start is a message to the operator, while two processes on one file lose data.
 */
async function isStale(owner: LockRecord, ours: LockRecord): Promise<boolean> {
  if (owner.hostname !== ours.hostname) return false;
  if (!isRunning(owner.pid)) return true;
  // The pid runs, but it may be a new process that got the dead owner's pid: in a container the
  // bot is pid 1 on every start. Equal start ticks mean it is the owner itself, which includes
  // this very process opening a second store on the same file.
  if (owner.startTicks === null) return false;
  const now = owner.pid === ours.pid ? ours.startTicks : await startTicksOf(owner.pid);
  return now !== null && now !== owner.startTicks;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs under another user, which is still a process that may use the file.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Null where /proc is missing or hides other users' processes (hidepid). */
async function startTicksOf(pid: number): Promise<number | null> {
  let line: string;
  try {
    line = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces and parentheses,
  // so count from the last ")": field 3 comes right after it.
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[22 - 3]);
  return Number.isSafeInteger(ticks) ? ticks : null;
}

/**
 * Replaces a stale lock with ours. Two processes starting at once after a crash both find the
 * stale lock, and a plain "check, then rename over" lets both believe they won. So takeovers
 * go one at a time through `${lockFile}.takeover`, created exclusively with our record: its
 * holder checks the lock still holds what was judged stale and then renames the takeover file
 * over it, which puts our record in place and frees the way for the next in one step. The lock
 * file is never missing or half-written in between.
 */
async function takeOver(
  lockFile: string,
  staleText: string,
  ours: LockRecord,
  text: string,
): Promise<Owned | "busy" | "changed"> {
  const gate = `${lockFile}.takeover`;
  const owned = await createExclusive(gate, text);
  if (owned === null) return (await clearAbandonedGate(gate, ours)) ? "changed" : "busy";
  let renamed = false;
  try {
    const now = await readLock(lockFile);
    if (now.kind !== "record" && now.kind !== "unreadable") return "changed";
    if (now.text !== staleText) return "changed";
    await rename(gate, lockFile);
    renamed = true;
  } finally {
    if (!renamed) await unlink(gate).catch(ignoreCodes("ENOENT"));
  }
  return (await holdsOurs(lockFile, text, owned)) ? owned : "changed";
}

/** A takeover file whose writer died mid-takeover would otherwise block every later start. */
async function clearAbandonedGate(gate: string, ours: LockRecord): Promise<boolean> {
  const gateNow = await readLock(gate);
  if (gateNow.kind === "gone") return true;
  if (gateNow.kind === "legacy") throw new Error(`store: ${gate} is a directory; remove it`);
  const abandoned =
    gateNow.kind === "unreadable"
      ? Date.now() - gateNow.mtimeMs > UNREADABLE_GRACE_MS
      : await isStale(gateNow.record, ours);
  if (!abandoned) return false;
  await unlink(gate).catch(ignoreCodes("ENOENT"));
  return true;
}

async function holdsOurs(path: string, text: string, owned: Owned): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.dev !== owned.dev || info.ino !== owned.ino) return false;
    return (await readFile(path, "utf8")) === text;
  } catch (error) {
    if (["ENOENT", "EISDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) return false;
    throw error;
  }
}

/**
 * The handle that currently holds each lock file in this process. Our record reads the same
 * for every lock this process takes, and a removed file's inode is reused at once, so neither
 * tells an old handle from a new one when the lock file was removed by hand and taken again.
 */
const current = new Map<string, object>();

function lockHandle(lockFile: string, text: string, owned: Owned): ProcessLock {
  const key = resolve(lockFile);
  const token = {};
  current.set(key, token);
  let released: Promise<void> | null = null;
  return {
    release() {
      released ??= (async () => {
        if (current.get(key) !== token) return;
        // Someone may have removed our lock by hand and another process locked the file since;
        // that lock is not ours to delete.
        if (await holdsOurs(lockFile, text, owned)) await unlink(lockFile).catch(ignoreCodes("ENOENT"));
        current.delete(key);
      })().catch((error: unknown) => {
        released = null; // a failed release may be tried again
        throw error;
      });
      return released;
    },
  };
}

function ignoreCodes(...codes: string[]): (error: unknown) => undefined {
  return (error) => {
    if (!codes.includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    return undefined;
  };
}
