import { immerable, isDraft, isModified, original } from "immer";
import { z } from "zod";

/** Rows per chunk: what a change to one row costs, whatever the size of its table. */
export const CHUNK_ROWS = 1024;

type KeyOf<Row> = (row: Row) => unknown;

/** Per frozen chunk and key function: the chunk's rows by key. A frozen chunk never changes. */
const chunkGroups = new WeakMap<readonly object[], Map<KeyOf<never>, Map<unknown, object[]>>>();

/**
 * The frozen chunk behind `chunk` when it can be read through its index: a committed chunk, or
 * in a draft one the change has not touched (`base` is the draft's committed table). Undefined
 * for chunks to scan.
 */
function committedChunk<Row extends object>(
  chunk: Row[],
  base: Table<Row> | undefined,
  index: number,
): readonly Row[] | undefined {
  if (!isDraft(chunk)) return Object.isFrozen(chunk) ? chunk : undefined;
  const baseChunk = base?.chunks[index];
  return baseChunk && Object.isFrozen(baseChunk) && !isModified(chunk) ? baseChunk : undefined;
}

/**
 * The rows of one table, kept as a list of chunks of at most CHUNK_ROWS rows. An immer draft
 * copies what a change touches, so adding or changing a row copies one chunk and the list of
 * chunks instead of a table that grows with every message. Written to the data file as that
 * list of chunks (an array of arrays of rows), so the log's patches keep their meaning.
 *
 * Rows are added at the end and removed in place; a chunk emptied by removals stays until the
 * next start folds it away (`Table.compacted`), because moving chunks would rewrite every
 * later one in the log.
 */
export class Table<Row extends object> implements Iterable<Row> {
  static [immerable] = true;

  constructor(public chunks: Row[][] = []) {}

  static of<Row extends object>(rows: Iterable<Row>): Table<Row> {
    const table = new Table<Row>();
    for (const row of rows) table.push(row);
    return table;
  }

  get length(): number {
    let length = 0;
    for (const chunk of this.chunks) length += chunk.length;
    return length;
  }

  push(...rows: Row[]): number {
    for (const row of rows) {
      const last = this.chunks[this.chunks.length - 1];
      if (last && last.length < CHUNK_ROWS) last.push(row);
      else this.chunks.push([row]);
    }
    return this.length;
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (const chunk of this.chunks) yield* chunk;
  }

  toArray(): Row[] {
    return this.chunks.flat() as Row[];
  }

  at(index: number): Row | undefined {
    let position = index < 0 ? this.length + index : index;
    for (const chunk of this.chunks) {
      if (position < chunk.length) return chunk[position];
      position -= chunk.length;
    }
    return undefined;
  }

  find(predicate: (row: Row) => unknown): Row | undefined {
    for (const chunk of this.chunks) {
      const found = chunk.find(predicate);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  findLast(predicate: (row: Row) => unknown): Row | undefined {
    for (let index = this.chunks.length - 1; index >= 0; index--) {
      const found = this.chunks[index]!.findLast(predicate);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  filter(predicate: (row: Row) => unknown): Row[] {
    return this.chunks.flatMap((chunk) => chunk.filter(predicate));
  }

  some(predicate: (row: Row) => unknown): boolean {
    return this.find(predicate) !== undefined;
  }

  every(predicate: (row: Row) => unknown): boolean {
    return this.chunks.every((chunk) => chunk.every(predicate));
  }

  map<T>(transform: (row: Row) => T): T[] {
    return this.chunks.flatMap((chunk) => chunk.map((row) => transform(row)));
  }

  /**
   * The first row whose `keyOf` is `key`. On committed (frozen) data it reads an index kept per
   * chunk, so it costs a map lookup per chunk instead of a scan; `keyOf` must be a constant
   * function for the index to be reused. Inside a change the chunks the change has not touched
   * still use their index, and only the touched ones are scanned.
   */
  lookup<Key>(keyOf: (row: Row) => Key, key: Key): Row | undefined {
    const base = this.committedBase();
    for (let index = 0; index < this.chunks.length; index++) {
      const found = this.matchesIn(index, base, keyOf, key, true)[0];
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Every row whose `keyOf` is `key`, in order; indexed like `lookup`. */
  lookupAll<Key>(keyOf: (row: Row) => Key, key: Key): Row[] {
    const base = this.committedBase();
    return this.chunks.flatMap((_chunk, index) => this.matchesIn(index, base, keyOf, key, false));
  }

  /** Inside a change, the committed table it started from; read once per lookup. */
  private committedBase(): Table<Row> | undefined {
    return isDraft(this) ? (original(this as never) as Table<Row>) : undefined;
  }

  /** The rows of chunk `index` whose key is `key` (the first only when `first`). */
  private matchesIn<Key>(
    index: number,
    base: Table<Row> | undefined,
    keyOf: (row: Row) => Key,
    key: Key,
    first: boolean,
  ): Row[] {
    const chunk = this.chunks[index]!;
    const committed = committedChunk(chunk, base, index);
    if (committed) {
      const rows = (groupsOf(committed, keyOf).get(key) ?? []) as Row[];
      // In a draft the caller gets the draft's rows, so a change it makes to them is kept.
      return committed === chunk ? rows : rows.map((row) => chunk[committed.indexOf(row)]!);
    }
    // A chunk this change touched is scanned; immer's array methods (enabled by the store) read
    // the rows without making a draft of each, and hand out drafts of the matches.
    const scan = (row: Row) => keyOf(row) === key;
    if (!first) return chunk.filter(scan);
    const found = chunk.find(scan);
    return found === undefined ? [] : [found];
  }

  /** Removes the rows `predicate` picks and returns how many it removed. */
  removeWhere(predicate: (row: Row) => unknown): number {
    let removed = 0;
    for (let index = 0; index < this.chunks.length; index++) {
      const chunk = this.chunks[index]!;
      if (!chunk.some(predicate)) continue;
      const kept = chunk.filter((row) => !predicate(row));
      removed += chunk.length - kept.length;
      this.chunks[index] = kept;
    }
    return removed;
  }

  toJSON(): Row[][] {
    return this.chunks;
  }

  /** Whether a start should fold away empty and part-filled chunks that removals left. */
  get fragmented(): boolean {
    return this.chunks.length > Math.ceil(this.length / CHUNK_ROWS) + 1;
  }

  /** The same rows in full chunks, for a start to write a fresh snapshot with. */
  compacted(): Table<Row> {
    return Table.of(this);
  }
}

function groupsOf<Row>(chunk: readonly Row[], keyOf: KeyOf<Row>): Map<unknown, object[]> {
  let byKeyOf = chunkGroups.get(chunk as readonly object[]);
  if (!byKeyOf) chunkGroups.set(chunk as readonly object[], (byKeyOf = new Map()));
  let groups = byKeyOf.get(keyOf as KeyOf<never>);
  if (!groups) {
    groups = new Map();
    for (const row of chunk) {
      const key = keyOf(row);
      const group = groups.get(key);
      if (group) group.push(row as object);
      else groups.set(key, [row as object]);
    }
    byKeyOf.set(keyOf as KeyOf<never>, groups);
  }
  return groups;
}

/** The schema of a table on disk: its chunks of rows. */
export function tableOf<Row extends z.ZodType<object>>(row: Row) {
  return z
    .array(z.array(row))
    .default([])
    .transform((chunks) => new Table<z.infer<Row>>(chunks));
}
