import { spawn } from "node:child_process";
import { mkdtemp, open as fsOpen, readFile, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConversationState, TestAdapter, TurnContext } from "botbuilder";
import { BotStateStorage } from "../../bot/channels/botStateStorage.js";
import { createTurnOrder } from "../../bot/channels/turnOrder.js";
import { readDataFile, Store } from "../../bot/store/store.js";

const now = () => new Date("2026-11-28T10:00:00Z");
let dir: string;
let file: string;
const opened: Store[] = [];

async function open(): Promise<Store> {
  const store = await Store.open({ file, now });
  opened.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-store-"));
  file = join(dir, "db.json");
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

/** What a new start would read: the snapshot and the log. */
const onDisk = () => readDataFile(file);

describe("store", () => {
  it("creates a versioned data file on first start", async () => {
    await open();
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      schemaVersion: 3,
      participants: [],
      outbox: [],
    });
  });

  it("resolves an update only after the change is on disk", async () => {
    const store = await open();
    // Hold every fsync until the test lets it go, and note when each one has finished.
    const events: string[] = [];
    let reachedSync!: () => void;
    const syncReached = new Promise<void>((resolve) => (reachedSync = resolve));
    let releaseSync!: () => void;
    const syncReleased = new Promise<void>((resolve) => (releaseSync = resolve));
    const handle = await fsOpen(join(dir, "probe"), "w");
    const fileHandle = Object.getPrototypeOf(handle) as FileHandle;
    await handle.close();
    for (const method of ["sync", "datasync"] as const) {
      const real = fileHandle[method];
      vi.spyOn(fileHandle, method).mockImplementation(async function (this: FileHandle) {
        reachedSync();
        await syncReleased;
        await real.call(this);
        events.push(`${method} done`);
      });
    }

    const update = store
      .update((data) => data.history.push({ at: now().toISOString(), actor: "system", change: "x" }))
      .then(() => events.push("update settled"));
    try {
      await syncReached;
      // Let everything that could settle the update without the disk run first.
      await new Promise((resolve) => setImmediate(resolve));
      expect(events).toEqual([]);
    } finally {
      releaseSync();
    }
    await update;
    // At least one fsync finished, and the update settled only after every one of them.
    expect(events.filter((event) => event.endsWith("sync done"))).not.toEqual([]);
    expect(events.indexOf("update settled")).toBe(events.length - 1);
    expect((await onDisk()).history.map((event) => event.change)).toEqual(["x"]);
  });

  it("coalesces concurrent updates into far fewer writes than updates", async () => {
    const store = await open();
    const before = store.commits;
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.update((data) =>
          data.history.push({ at: now().toISOString(), actor: "system", change: `c${i}` }),
        ),
      ),
    );
    expect(store.commits - before).toBeLessThanOrEqual(2);
    expect((await onDisk()).history).toHaveLength(100);
  });

  it("writes changes made during a running write in the next write", async () => {
    const store = await open();
    const first = store.update((data) =>
      data.history.push({ at: now().toISOString(), actor: "system", change: "a" }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const second = store.update((data) =>
      data.history.push({ at: now().toISOString(), actor: "system", change: "b" }),
    );
    await Promise.all([first, second]);
    expect((await onDisk()).history).toHaveLength(2);
  });

  it("refuses a corrupt file, names it, and leaves it untouched", async () => {
    await writeFile(file, '{"schemaVersion": 1, "participants": [');
    await expect(open()).rejects.toThrow(`store: ${file} is not valid JSON`);
    expect(await readFile(file, "utf8")).toBe('{"schemaVersion": 1, "participants": [');
  });

  it("refuses a file that does not match the schema and says where", async () => {
    await writeFile(
      file,
      JSON.stringify({ schemaVersion: 1, meta: { createdAt: "yesterday" }, participants: "none" }),
    );
    await expect(open()).rejects.toThrow(/meta\.createdAt[\s\S]*participants/);
  });

  it("refuses a file from a newer borgerbot", async () => {
    await writeFile(file, JSON.stringify({ schemaVersion: 99, meta: { createdAt: now().toISOString() } }));
    await expect(open()).rejects.toThrow("schemaVersion 99");
  });

  it("fills tables missing from an older file", async () => {
    await writeFile(file, JSON.stringify({ schemaVersion: 1, meta: { createdAt: now().toISOString() } }));
    const store = await open();
    expect(store.data.inbox).toEqual([]);
  });

  it("locks out a second store on the same file in this process", async () => {
    await open();
    await expect(Store.open({ file, now })).rejects.toThrow("is in use by another borgerbot process");
  });

  it("locks out a second process on the same file", async () => {
    await open();
    const script = `import { Store } from ${JSON.stringify(new URL("../../bot/store/store.ts", import.meta.url).pathname)};
      Store.open({ file: ${JSON.stringify(file)}, now: () => new Date() }).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(3);
    expect(stderr).toContain("is in use by another borgerbot process");
  });

  it("keeps its hashing key beside the data file, readable by the owner only, across restarts", async () => {
    const first = await open();
    const key = first.secret.toString("hex");
    await first.close();
    const again = await open();
    expect(again.secret.toString("hex")).toBe(key);
    expect((await stat(`${file}.key`)).mode & 0o777).toBe(0o600);
  });

  it("refuses to start when the key is gone but the data was keyed with it", async () => {
    const first = await open();
    await first.update((data) => data.suppressedPhones.push("a".repeat(64)));
    await first.close();
    await rm(`${file}.key`);
    await expect(open()).rejects.toThrow(`store: ${file}.key is missing`);
  });

  it("refuses a key that is not the one the data was keyed with", async () => {
    await (await open()).close();
    await writeFile(`${file}.key`, `${"0".repeat(64)}\n`);
    await expect(open()).rejects.toThrow("key check differs");
  });

  it("takes over at once the lock of a process that was killed", async () => {
    const script = `import { Store } from ${JSON.stringify(new URL("../../bot/store/store.ts", import.meta.url).pathname)};
      Store.open({ file: ${JSON.stringify(file)}, now: () => new Date() }).then(() => process.kill(process.pid, "SIGKILL"));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: "ignore",
    });
    await new Promise((resolve) => child.on("exit", resolve));
    const notices: string[] = [];
    const started = Date.now();
    opened.push(await Store.open({ file, now, log: (message) => notices.push(message) }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(notices.join("\n")).toMatch(/took over|stale/);
  });

  it("opens the file again after the first store closed", async () => {
    const store = await open();
    await store.update((data) =>
      data.history.push({ at: now().toISOString(), actor: "system", change: "kept" }),
    );
    await store.close();
    const reopened = await open();
    expect(reopened.data.history.map((event) => event.change)).toEqual(["kept"]);
  });
});

describe("bot state storage", () => {
  it("keeps dialog state across a restart", async () => {
    const storage = new BotStateStorage(await open());
    await storage.write({ "conv/1": { dialogState: { stack: [{ id: "mainDialog" }] }, eTag: "*" } });
    await opened[0]!.close();
    const restarted = new BotStateStorage(await open());
    const items = await restarted.read(["conv/1"]);
    expect(items["conv/1"]).toMatchObject({ dialogState: { stack: [{ id: "mainDialog" }] } });
  });

  /*
   * botbuilder saves conversation state with eTag "*", so no storage-level conflict check ever
   * fires; what keeps two quick messages from one member apart is the per-conversation turn
   * order the SMS journal and the Bot Framework turns run in (bot/channels/turnOrder.ts).
   */
  function smsTurns(store: Store) {
    const storage = new BotStateStorage(store);
    const state = new ConversationState(storage);
    const answers = state.createProperty<string[]>("answers");
    const turnOrder = createTurnOrder();
    const context = (text: string) =>
      new TurnContext(new TestAdapter(), {
        type: "message",
        channelId: "sms",
        conversation: { id: "+4520304050", isGroup: false, conversationType: "personal", name: "" },
        from: { id: "+4520304050", name: "" },
        text,
      });
    /** A turn as the bot runs one: load the state, do its work, save the state. */
    const turn = async (text: string) => {
      const turnContext = context(text);
      const before = await answers.get(turnContext, []);
      // The turn's own work; an overlapping turn of the same member would load the same state now.
      await new Promise((resolve) => setImmediate(resolve));
      await answers.set(turnContext, [...before, text]);
      await state.saveChanges(turnContext);
    };
    return {
      storage,
      inOrder: (text: string) => turnOrder.run("sms/+4520304050", () => store.runTurn(() => turn(text))),
      unordered: (text: string) => store.runTurn(() => turn(text)),
      saved: async () =>
        (await storage.read(["sms/conversations/+4520304050/"]))["sms/conversations/+4520304050/"],
    };
  }

  it("runs two quick SMS from one member one after the other, so neither overwrites the other's dialog state", async () => {
    const turns = smsTurns(await open());
    await Promise.all([turns.inOrder("ja"), turns.inOrder("jeg er vegetar")]);
    expect((await turns.saved())?.answers).toEqual(["ja", "jeg er vegetar"]);
  });

  it('needs that order: botbuilder saves with eTag "*", so the later of two overlapping turns wins', async () => {
    const turns = smsTurns(await open());
    const write = vi.spyOn(turns.storage, "write");
    await Promise.all([turns.unordered("ja"), turns.unordered("jeg er vegetar")]);
    expect(write.mock.calls.map(([changes]) => Object.values(changes).map((item) => item.eTag))).toEqual([
      ["*"],
      ["*"],
    ]);
    expect((await turns.saved())?.answers).toEqual(["jeg er vegetar"]);
  });
});
