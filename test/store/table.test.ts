import { readFile, rm, writeFile } from "node:fs/promises";
import { freeze, produce } from "immer";
import { afterEach, describe, expect, it } from "vitest";
import { readDataFile, Store } from "../../bot/store/store.js";
import { CHUNK_ROWS, Table } from "../../bot/store/table.js";
import { openTempStore } from "../helpers/tempStore.js";

const now = () => new Date("2026-12-02T10:00:00Z");
const row = (n: number) => ({ n, key: `k${n}` });
const rows = (count: number) => Array.from({ length: count }, (_, n) => row(n));
const byKey = (entry: { key: string }) => entry.key;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // In order: a reopened store closes before its directory goes.
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempStore() {
  const temp = await openTempStore(now);
  cleanups.push(() => temp.cleanup());
  return temp;
}

describe("a table", () => {
  it("keeps its rows in full chunks of CHUNK_ROWS, and writes them as that list of chunks", () => {
    const table = Table.of(rows(CHUNK_ROWS + 2));
    expect(table.chunks.map((chunk) => chunk.length)).toEqual([CHUNK_ROWS, 2]);
    expect(table.length).toBe(CHUNK_ROWS + 2);
    expect(table.at(CHUNK_ROWS)).toEqual(row(CHUNK_ROWS));
    expect(table.at(-1)).toEqual(row(CHUNK_ROWS + 1));
    expect(JSON.parse(JSON.stringify({ table }))).toEqual({ table: table.chunks });
  });

  it("copies only the chunk a change touches, so a change costs the same however long the table is", () => {
    const base = freeze({ table: Table.of(rows(3 * CHUNK_ROWS)) }, true);
    const next = produce(base, (draft) => {
      draft.table.find((entry) => entry.n === CHUNK_ROWS + 5)!.key = "changed";
      draft.table.push(row(-1));
    });
    expect(next.table.chunks[0]).toBe(base.table.chunks[0]);
    expect(next.table.chunks[1]).not.toBe(base.table.chunks[1]);
    expect(next.table.chunks[2]).toBe(base.table.chunks[2]);
    expect(next.table.chunks[3]).toEqual([row(-1)]);
    expect(next.table.at(CHUNK_ROWS + 5)).toEqual({ n: CHUNK_ROWS + 5, key: "changed" });
    expect(base.table.at(CHUNK_ROWS + 5)).toEqual(row(CHUNK_ROWS + 5));
  });

  it("finds rows by key through its index on committed data, and sees a draft's own new rows", () => {
    const base = freeze({ table: Table.of(rows(2 * CHUNK_ROWS)) }, true);
    expect(base.table.lookup(byKey, `k${CHUNK_ROWS + 7}`)).toBe(base.table.at(CHUNK_ROWS + 7));
    expect(base.table.lookup(byKey, "k-missing")).toBeUndefined();
    const next = produce(base, (draft) => {
      draft.table.push({ n: -1, key: "new" });
      expect(draft.table.lookup(byKey, "new")).toEqual({ n: -1, key: "new" });
      draft.table.find((entry) => entry.n === 3)!.key = "renamed";
    });
    expect(next.table.lookup(byKey, "new")).toEqual({ n: -1, key: "new" });
    expect(next.table.lookup(byKey, "renamed")).toEqual({ n: 3, key: "renamed" });
    expect(next.table.lookup(byKey, "k3")).toBeUndefined();
    expect(base.table.lookup(byKey, "k3")).toEqual(row(3));
  });

  it("finds every row with a key through its index, and a draft's own rows too", () => {
    const base = freeze(
      { table: Table.of(rows(2 * CHUNK_ROWS).map((entry) => ({ ...entry, key: `k${entry.n % 3}` }))) },
      true,
    );
    const parity = (entry: { n: number }) => entry.n % 2;
    expect(base.table.lookupAll(byKey, "k1").map((entry) => entry.n)).toEqual(
      rows(2 * CHUNK_ROWS)
        .filter((entry) => entry.n % 3 === 1)
        .map((entry) => entry.n),
    );
    expect(base.table.lookupAll(parity, 1)).toHaveLength(CHUNK_ROWS);
    produce(base, (draft) => {
      draft.table.push({ n: -1, key: "k1" });
      expect(draft.table.lookupAll(byKey, "k1").at(-1)).toEqual({ n: -1, key: "k1" });
    });
  });

  it("removes rows in place and leaves the emptied chunk for the next start to fold", () => {
    const base = freeze({ table: Table.of(rows(2 * CHUNK_ROWS + 1)) }, true);
    let removed = 0;
    const next = produce(base, (draft) => {
      removed = draft.table.removeWhere((entry) => entry.n < CHUNK_ROWS || entry.n === 2 * CHUNK_ROWS);
    });
    expect(removed).toBe(CHUNK_ROWS + 1);
    expect(next.table.chunks.map((chunk) => chunk.length)).toEqual([0, CHUNK_ROWS, 0]);
    expect(next.table.chunks[1]).toBe(base.table.chunks[1]);
    expect(next.table.fragmented).toBe(true);
    expect(next.table.compacted().chunks.map((chunk) => chunk.length)).toEqual([CHUNK_ROWS]);
  });
});

describe("the store's tables", () => {
  it("refuse a change that replaces a whole table, which the log could not replay", async () => {
    const { store } = await tempStore();
    await expect(
      store.update((data) => {
        data.history = Table.of([{ at: now().toISOString(), actor: "system", change: "x" }]);
      }),
    ).rejects.toThrow("history: a table is changed row by row, never replaced");
    expect(store.data.history).toEqual([]);
  });

  it("fold chunks emptied by removals at the next start, and keep every row", async () => {
    const { store, file } = await tempStore();
    const events = Array.from({ length: 2 * CHUNK_ROWS + 3 }, (_, n) => ({
      at: now().toISOString(),
      actor: "system" as const,
      change: `event ${n}`,
    }));
    await store.update((data) => data.history.push(...events));
    await store.update((data) => data.history.removeWhere((event) => event.change !== "event 5"));
    await store.close();
    const reopened = await openTempStoreOn(file);
    expect(reopened.data.history.chunks).toEqual([[events[5]]]);
    const snapshot = JSON.parse(await readFile(file, "utf8")) as { history: unknown };
    expect(snapshot.history).toEqual([[events[5]]]);
  });

  it("refuse to start on a log whose snapshot is gone, instead of starting empty", async () => {
    const { store, file } = await tempStore();
    await store.update((data) =>
      data.history.push({ at: now().toISOString(), actor: "system", change: "x" }),
    );
    await store.close();
    await writeFile(
      `${file}.wal`,
      `${JSON.stringify({ seq: 1, patches: [{ op: "add", path: ["history", "chunks", 0], value: [] }] })}\n`,
    );
    await rm(file);
    await expect(Store.open({ file, now })).rejects.toThrow(
      `store: ${file} is missing, but ${file}.wal holds changes to it; restore ${file} from your backup`,
    );
  });

  it("read a schema 2 file with a flat table and its log, and upgrade both", async () => {
    const { store, file } = await tempStore();
    await store.close();
    const createdAt = now().toISOString();
    const participant = {
      id: "p1",
      language: "da",
      createdAt,
      onList: true,
      invitation: "invited",
      optedOut: false,
    };
    await writeFile(
      file,
      JSON.stringify({ schemaVersion: 2, meta: { createdAt, walSeq: 0 }, participants: [participant] }),
    );
    // A schema 2 log points into the flat table.
    await writeFile(
      `${file}.wal`,
      `${JSON.stringify({ seq: 1, patches: [{ op: "replace", path: ["participants", 0, "invitation"], value: "accepted" }] })}\n`,
    );
    const reopened = await openTempStoreOn(file);
    expect(reopened.data.participants.chunks).toEqual([[{ ...participant, invitation: "accepted" }]]);
    await reopened.update((data) => {
      data.participants.at(0)!.name = "Ane";
    });
    await reopened.close();
    expect((await readDataFile(file)).participants).toEqual([
      { ...participant, invitation: "accepted", name: "Ane" },
    ]);
    // Closing folds the log, so the snapshot alone holds it all, in chunks.
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      schemaVersion: 3,
      meta: { walSeq: 2 },
      participants: [[{ ...participant, invitation: "accepted", name: "Ane" }]],
    });
  });
});

async function openTempStoreOn(file: string) {
  const store = await Store.open({ file, now });
  cleanups.unshift(() => store.close().catch(() => undefined));
  return store;
}
