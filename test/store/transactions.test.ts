import { execFileSync } from "node:child_process";
import { mkdtemp, open as openFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readDataFile, Store, StoreWriteFailed } from "../../bot/store/store.js";

const now = () => new Date("2026-11-28T10:00:00Z");
const event = (change: string) => ({ at: now().toISOString(), actor: "system" as const, change });
let dir: string;
let file: string;
const opened: Store[] = [];

async function open(at = file): Promise<Store> {
  const store = await Store.open({ file: at, now });
  opened.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-tx-"));
  file = join(dir, "db.json");
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

describe("a change", () => {
  it("leaves nothing behind when its mutator throws half-way", async () => {
    const store = await open();
    await expect(
      store.update((data) => {
        data.history.push(event("first half"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(store.data.history).toEqual([]);
    expect((await readDataFile(file)).history).toEqual([]);
  });

  it("is refused when the next start could not read it back, and the store starts again", async () => {
    const store = await open();
    await expect(
      store.update((data) => data.identities.push({ channel: "WebChat", key: "u1", participantId: "p1" })),
    ).rejects.toThrow("identities.0.channel");
    expect(store.data.identities).toEqual([]);
    await store.close();
    opened.length = 0;
    expect((await open()).data.identities).toEqual([]);
  });

  it("is not visible outside its turn until the turn has committed", async () => {
    const store = await open();
    let seenInside: number | undefined;
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const turn = store.runTurn(async () => {
      await store.update((data) => data.history.push(event("in a turn")));
      seenInside = store.data.history.length;
      await paused;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const seenOutside = store.data.history.length;
    release();
    await turn;
    expect({ seenInside, seenOutside, after: store.data.history.length }).toEqual({
      seenInside: 1,
      seenOutside: 0,
      after: 1,
    });
    expect((await readDataFile(file)).history).toHaveLength(1);
  });

  it("runs work queued with afterTurn only once the turn is on disk", async () => {
    const store = await open();
    const onDiskWhenRun: number[] = [];
    await store.runTurn(async () => {
      await store.update((data) => data.history.push(event("absence")));
      store.afterTurn(() => {
        void readDataFile(file).then((data) => onDiskWhenRun.push(data.history.length));
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(onDiskWhenRun).toEqual([]);
    });
    await expect.poll(() => onDiskWhenRun).toEqual([1]);
  });

  it("freezes what it hands out, so a record changed outside update fails loudly", async () => {
    const store = await open();
    await store.update((data) => data.history.push(event("kept")));
    const [kept] = store.data.history;
    expect(() => {
      (kept as { change: string }).change = "changed in memory only";
    }).toThrow(TypeError);
  });
});

describe("the log", () => {
  it("cuts off a commit a crash left half-written, and keeps the ones before it", async () => {
    const store = await open();
    await store.update((data) => data.history.push(event("whole")));
    await store.close();
    opened.length = 0;
    const log = await openFile(`${file}.wal`, "a");
    await log.appendFile('{"seq":99,"patches":[{"op":"add","path":["history",1],"va');
    await log.close();
    const notices: string[] = [];
    opened.push(await Store.open({ file, now, log: (message) => notices.push(message) }));
    expect(opened[0]!.data.history.map((entry) => entry.change)).toEqual(["whole"]);
    expect(notices).toEqual([expect.stringContaining("half-written")]);
  });

  it("refuses to start on damage that is not a torn last line", async () => {
    const store = await open();
    await store.update((data) => data.history.push(event("whole")));
    await store.close();
    opened.length = 0;
    await writeFile(`${file}.wal`, 'not json\n{"seq":5,"patches":[]}\n');
    await expect(open()).rejects.toThrow(`store: ${file}.wal line 1 is not a borgerbot commit`);
  });

  it("is folded into the snapshot once it outgrows it, and nothing is lost or applied twice", async () => {
    const store = await Store.open({ file, now, compactAfterBytes: 2_000 });
    opened.push(store);
    for (let i = 0; i < 60; i++) await store.update((data) => data.history.push(event(`c${i}`)));
    await store.close();
    opened.length = 0;
    const snapshot = JSON.parse(await (await import("node:fs/promises")).readFile(file, "utf8")) as {
      meta: { walSeq?: number };
    };
    expect(snapshot.meta.walSeq).toBeGreaterThan(0);
    expect((await open()).data.history.map((entry) => entry.change)).toEqual(
      Array.from({ length: 60 }, (_, i) => `c${i}`),
    );
  });
});

/** A real full disk: a small tmpfs. Mounting needs root; elsewhere the test says so and is skipped. */
function mountTinyDisk(target: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", target], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = join(tmpdir(), `borgerbot-mount-probe-${process.pid}`);
  execFileSync("mkdir", ["-p", probe]);
  const ok = mountTinyDisk(probe);
  if (ok) execFileSync("umount", [probe]);
  return ok;
})();

describe.skipIf(!canMount)("on a full disk (a 256 KiB tmpfs)", () => {
  let disk: string;
  beforeEach(() => {
    disk = join(dir, "disk");
    execFileSync("mkdir", ["-p", disk]);
    mountTinyDisk(disk);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
    execFileSync("umount", [disk]);
  });

  it("refuses a change that did not reach the disk, and no later write brings it back", async () => {
    const onDisk = join(disk, "db.json");
    const store = await open(onDisk);
    await store.update((data) => data.history.push(event("before")));
    const filler = join(disk, "filler");
    await writeFile(filler, Buffer.alloc(256 * 1024)).catch(() => undefined);
    // Bigger than a page, so it cannot fit in the log's last, partly used page.
    const ghost = `ghost ${"x".repeat(16_000)}`;
    await expect(store.update((data) => data.history.push(event(ghost)))).rejects.toBeInstanceOf(
      StoreWriteFailed,
    );
    expect(store.data.history.map((entry) => entry.change)).toEqual(["before"]);
    expect(store.health()).toMatchObject({
      writable: false,
      error: expect.stringContaining("the disk is full"),
    });
    await rm(filler);
    expect(await store.checkWritable()).toBe(true);
    await store.update((data) => data.history.push(event("after")));
    expect((await readDataFile(onDisk)).history.map((entry) => entry.change)).toEqual(["before", "after"]);
  });
});
