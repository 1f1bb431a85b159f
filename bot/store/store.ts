import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import {
  applyPatches,
  current,
  enableArrayMethods,
  enablePatches,
  freeze,
  isDraft,
  produceWithPatches,
  type Patch,
} from "immer";
import { Low } from "lowdb";
import { DurableJsonFile } from "./durableJsonFile.js";
import { migrate } from "./migrations.js";
import { removeInterruptedWrites } from "./interruptedWrites.js";
import { acquireProcessLock } from "./processLock.js";
import { keyCheckOf, loadSecret, verifyKeyCheck } from "./secret.js";
import { CHUNKED_TABLES, dbSchema, emptyDb, type DbData } from "./schema.js";
import { validateChanges } from "./validateChanges.js";
import {
  readLogRecords,
  removeLog,
  WriteAheadLog,
  WriteAheadLogBroken,
  type LogRecord,
} from "./writeAheadLog.js";

enablePatches();
// Lets find/filter/some on a draft array read plain values instead of making a proxy per element.
enableArrayMethods();

export interface StoreOptions {
  file: string;
  now: () => Date;
  /** One-line notices about what the store repaired at start (a torn commit, a stale lock). */
  log?: (message: string) => void;
  /** The log is folded into the snapshot once it is this big (and bigger than the snapshot). */
  compactAfterBytes?: number;
}

/** A write to disk failed: the change it carried, and every change made after it, were dropped. */
export class StoreWriteFailed extends Error {}

interface TurnScope {
  /** Changes up to here may be written; later ones wait for the turn to commit or end. */
  releasedSeq: number;
  lastSeq: number;
  failure?: Error;
  afterwards: Array<() => void>;
}

interface PendingChange {
  seq: number;
  patches: Patch[];
  state: DbData;
  turn?: TurnScope;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

/**
 * The one durable store. A change is made on a draft (immer), checked against the schema,
 * appended to DB_FILE.wal and fsynced; only then does anyone outside its turn see it. A
 * change that fails to reach the disk is dropped with every change built on it, so it can
 * never show up later. Changes made at the same time share one append (group commit).
 *
 * DB_FILE itself stays a plain JSON snapshot (lowdb) that a person can open; the log is
 * folded into it in the background once it has grown past the snapshot's size.
 */
export class Store {
  /** Appends to the log so far; the group-commit test and the benchmark read it. */
  commits = 0;
  private head: DbData;
  private headSeq: number;
  private committedSeq: number;
  private pending: PendingChange[] = [];
  private waiters: Waiter[] = [];
  private flushScheduled = false;
  private writing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private retiredLog: string | undefined;
  private lastFailure: Error | undefined;
  private broken: Error | undefined;
  private readonly turns = new AsyncLocalStorage<TurnScope>();
  private snapshotBytes: number;

  private constructor(
    private readonly options: StoreOptions,
    private readonly snapshot: Low<DbData>,
    private committed: DbData,
    seq: number,
    private readonly log: WriteAheadLog,
    private readonly releaseLock: () => Promise<void>,
    /** The key for hashes that must not be reversible from the data file alone. */
    readonly secret: Buffer,
    snapshotBytes: number,
  ) {
    this.snapshotBytes = snapshotBytes;
    this.head = committed;
    this.headSeq = seq;
    this.committedSeq = seq;
  }

  static async open(options: StoreOptions): Promise<Store> {
    const { file } = options;
    const notice = options.log ?? (() => undefined);
    const lock = await mkdir(dirname(file), { recursive: true })
      .then(() => acquireProcessLock({ file, log: notice }))
      .catch((error: unknown) => {
        throw cannotWrite(file, error);
      });
    const release = () => lock.release();
    try {
      // Left by a write that a crash interrupted; they hold personal data.
      const leftovers = await removeInterruptedWrites(file);
      if (leftovers.length > 0)
        notice(`store: removed ${leftovers.length} temporary file(s) an interrupted write left`);
      const loaded = await loadDataFile(file, options.now, notice);
      const { seq } = loaded;
      let { state } = loaded;
      const keyFile = `${file}.key`;
      const { keyCheck } = state.meta;
      // A new key for data keyed with a lost one would let erased people be invited again.
      const secret = await loadSecret(keyFile, {
        mayCreate: keyCheck === undefined && state.suppressedPhones.length === 0,
      });
      if (keyCheck !== undefined) verifyKeyCheck(keyFile, secret, keyCheck);
      const snapshot = new Low(new DurableJsonFile<DbData>(file), state);
      const fragmented = CHUNKED_TABLES.filter((name) => state[name].fragmented);
      if (loaded.migrated || keyCheck === undefined || fragmented.length > 0) {
        // Chunks emptied by removals are folded here, where no log record points into them.
        const compacted = Object.fromEntries(fragmented.map((name) => [name, state[name].compacted()]));
        state = {
          ...state,
          ...compacted,
          meta: { ...state.meta, keyCheck: keyCheckOf(secret), walSeq: seq },
        };
        snapshot.data = state;
        await snapshot.write();
      }
      const log = await WriteAheadLog.open(`${file}.wal`);
      const { size } = await stat(file);
      // Frozen, so code that changes a record outside `update` fails loudly instead of
      // changing memory that is never written.
      return new Store(options, snapshot, freeze(state, true), seq, log, release, secret, size);
    } catch (error) {
      await release();
      throw error;
    }
  }

  /**
   * What is on disk. Inside a turn that has changed something, the turn's own view: its
   * changes, and those it was built on.
   */
  get data(): DbData {
    const turn = this.turns.getStore();
    return turn && turn.lastSeq > this.committedSeq ? this.head : this.committed;
  }

  /**
   * Applies `mutate` to a draft. Outside a turn it resolves once the change is on disk; inside
   * one, the change becomes durable with the rest of the turn (`commit`, or the turn's end).
   * A throw in `mutate` leaves nothing behind. Look records up inside `mutate`: objects read
   * before it are frozen snapshots.
   */
  async update<T>(mutate: (data: DbData) => T): Promise<T> {
    if (this.broken) throw this.broken;
    const turn = this.turns.getStore();
    if (turn?.failure) throw turn.failure;
    let result: T | undefined;
    const [next, patches] = produceWithPatches(this.head, (draft) => {
      result = detach(mutate(draft as DbData));
    });
    if (patches.length === 0) return result as T;
    validateChanges(next, patches);
    const seq = ++this.headSeq;
    this.head = next;
    this.pending.push({ seq, patches, state: next, turn });
    if (turn) {
      turn.lastSeq = seq;
      return result as T;
    }
    this.scheduleFlush();
    await this.durable(seq);
    return result as T;
  }

  /** Runs one turn: what it changes is written together, in one commit shared with other turns. */
  async runTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.turns.getStore()) return work();
    const turn: TurnScope = { releasedSeq: 0, lastSeq: 0, afterwards: [] };
    let result: T;
    try {
      result = await this.turns.run(turn, work);
    } finally {
      turn.releasedSeq = Number.POSITIVE_INFINITY;
      if (turn.lastSeq > this.committedSeq) this.scheduleFlush();
    }
    if (turn.failure) throw turn.failure;
    await this.durable(turn.lastSeq);
    for (const task of turn.afterwards) this.turns.exit(task);
    return result;
  }

  /**
   * Runs `task` once the current turn is over and on disk, outside it, so slow work (sends to
   * organizers) does not hold up the member's reply. Outside a turn it runs on the next tick.
   */
  afterTurn(task: () => void): void {
    const turn = this.turns.getStore();
    if (turn) turn.afterwards.push(task);
    else setImmediate(task);
  }

  /** Makes the current turn's changes durable now, before a reply that depends on them leaves. */
  async commit(): Promise<void> {
    const turn = this.turns.getStore();
    if (!turn) return;
    if (turn.failure) throw turn.failure;
    if (turn.lastSeq <= this.committedSeq) return;
    turn.releasedSeq = turn.lastSeq;
    this.scheduleFlush();
    await this.durable(turn.lastSeq);
  }

  /**
   * Folds the log into the snapshot now and removes it. After an erasure, so the person's
   * earlier data is not left in old log records.
   */
  async compact(): Promise<void> {
    await this.commit();
    while (this.writing || this.compacting) await (this.writing ?? this.compacting);
    // Holding `writing` keeps the write loop off the log while it is moved aside.
    const compaction = this.startCompaction().then(() => this.compacting);
    // The failure reaches this caller below; the write loop only needs to know it is over.
    this.writing = compaction
      .catch(() => undefined)
      .finally(() => {
        this.writing = undefined;
        if (this.writablePrefix().length > 0) this.scheduleFlush();
      });
    await compaction;
    if (this.retiredLog)
      throw new StoreWriteFailed(`store: could not fold the log into ${this.options.file}`);
  }

  health(): { writable: boolean; error?: string } {
    const failure = this.broken ?? this.lastFailure;
    return failure ? { writable: false, error: failure.message } : { writable: true };
  }

  /**
   * After a failed write, tries an empty append, so /healthz turns healthy again once the
   * disk has room (or is writable) again, without waiting for a member to write.
   */
  async checkWritable(): Promise<boolean> {
    if (this.broken) return false;
    if (!this.lastFailure || this.writing) return !this.lastFailure;
    try {
      await this.log.append([{ seq: this.committedSeq, patches: [] }]);
      this.lastFailure = undefined;
    } catch (error) {
      this.fail(error);
    }
    return !this.lastFailure;
  }

  async close(): Promise<void> {
    this.scheduleFlushNow();
    await this.writing;
    await this.compacting;
    // A stopped server leaves the whole current state in DB_FILE, for a person to read or copy.
    if (!this.broken && this.log.bytes > 0) {
      await this.compact().catch((error: Error) => this.options.log?.(error.message));
    }
    await this.log.close();
    await this.releaseLock();
  }

  private durable(seq: number): Promise<void> {
    if (seq <= this.committedSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** The write starts on the next macrotask, so the turns of one event-loop tick share it. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.writing) return;
    this.flushScheduled = true;
    setImmediate(() => this.scheduleFlushNow());
  }

  private scheduleFlushNow(): void {
    this.flushScheduled = false;
    this.writing ??= this.writeLoop().finally(() => {
      this.writing = undefined;
      if (this.writablePrefix().length > 0) this.scheduleFlush();
    });
  }

  private async writeLoop(): Promise<void> {
    for (let batch = this.writablePrefix(); batch.length > 0; batch = this.writablePrefix()) {
      try {
        await this.log.append(batch.map(({ seq, patches }): LogRecord => ({ seq, patches })));
      } catch (error) {
        this.fail(error);
        return;
      }
      this.commits++;
      const last = batch[batch.length - 1]!;
      this.pending.splice(0, batch.length);
      this.committed = last.state;
      this.committedSeq = last.seq;
      this.lastFailure = undefined;
      this.settleWaiters();
      if (this.shouldCompact()) await this.startCompaction();
    }
  }

  /** Pending changes in order, up to the first that belongs to a turn still under way. */
  private writablePrefix(): PendingChange[] {
    const end = this.pending.findIndex((change) => change.turn && change.seq > change.turn.releasedSeq);
    return end === -1 ? [...this.pending] : this.pending.slice(0, end);
  }

  private settleWaiters(): void {
    const done = this.waiters.filter((waiter) => waiter.seq <= this.committedSeq);
    this.waiters = this.waiters.filter((waiter) => waiter.seq > this.committedSeq);
    for (const waiter of done) waiter.resolve();
  }

  /** Every change not yet on disk was built on the one that failed, so all of them go. */
  private fail(error: unknown): void {
    const failure =
      error instanceof WriteAheadLogBroken
        ? error
        : new StoreWriteFailed(describeWriteError(this.options.file, error), { cause: error });
    if (error instanceof WriteAheadLogBroken) this.broken = failure;
    this.lastFailure = failure;
    for (const change of this.pending) if (change.turn) change.turn.failure = failure;
    this.pending = [];
    this.head = this.committed;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(failure);
  }

  private shouldCompact(): boolean {
    if (this.compacting) return false;
    const threshold = this.options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    return this.log.bytes > threshold && this.log.bytes > this.snapshotBytes;
  }

  /**
   * Moves the log aside and writes a new snapshot of what is on disk from a background task;
   * new commits go to a fresh log meanwhile. The old log is removed only once the snapshot
   * that holds it is durable, and is replayed at start if that never happened.
   */
  private async startCompaction(): Promise<void> {
    this.retiredLog ??= await this.log.rotate();
    const state = this.committed;
    const seq = this.committedSeq;
    const compacting = (async () => {
      try {
        this.snapshot.data = { ...state, meta: { ...state.meta, walSeq: seq } };
        await this.snapshot.write();
        this.snapshotBytes = Buffer.byteLength(JSON.stringify(this.snapshot.data));
        await removeLog(this.retiredLog!);
        this.retiredLog = undefined;
      } catch (error) {
        this.options.log?.(
          `store: could not fold the log into ${this.options.file} (${(error as Error).message}); will try again`,
        );
      } finally {
        this.compacting = undefined;
      }
    })();
    this.compacting = compacting;
  }
}

/**
 * The data as the next start will see it: the snapshot with the log's commits applied. For
 * tools and tests; it takes no lock and repairs nothing.
 */
export async function readDataFile(file: string): Promise<DbData> {
  return (await loadDataFile(file, () => new Date())).state;
}

async function loadDataFile(
  file: string,
  now: () => Date,
  repair?: (message: string) => void,
): Promise<{ state: DbData; seq: number; migrated: boolean }> {
  const raw = await new DurableJsonFile<unknown>(file).read();
  const records = [
    ...(await readLogRecords(`${file}.wal.old`, repair)),
    ...(await readLogRecords(`${file}.wal`, repair)),
  ];
  if (raw === null) {
    // The log's changes are to a snapshot that is gone; starting empty would lose them.
    if (records.some((record) => record.patches.length > 0)) {
      throw new Error(
        `store: ${file} is missing, but ${file}.wal holds changes to it; restore ${file} from your backup`,
      );
    }
    // The new file's tables as they are written, which is what the schema reads.
    return { state: parseDataFile(file, JSON.parse(JSON.stringify(emptyDb(now())))), seq: 0, migrated: true };
  }
  const { data, migrated, replayed } = migrate(file, raw, (older) => replay(file, older, records));
  const state = parseDataFile(file, data);
  if (replayed) return { state, seq: replayed.seq, migrated };
  return { ...replay(file, state, records), migrated };
}

function parseDataFile(file: string, data: unknown): DbData {
  const parsed = dbSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new Error(`store: ${file} is not a valid borgerbot data file:\n  - ${problems.join("\n  - ")}`);
}

/** Applies the log's commits that the snapshot does not hold yet. Empty records are write probes. */
function replay<Data extends { meta: { walSeq?: number } }>(
  file: string,
  snapshot: Data,
  records: LogRecord[],
): { state: Data; seq: number } {
  const folded = snapshot.meta.walSeq ?? 0;
  let state = snapshot;
  let seq = folded;
  for (const record of records) {
    if (record.seq <= folded || record.patches.length === 0) continue;
    if (record.seq <= seq)
      throw new Error(`store: ${file}.wal repeats commit ${record.seq}; restore it from your backup`);
    state = applyPatches(state, record.patches);
    seq = record.seq;
  }
  return { state, seq };
}

/** A result that holds drafts would be unreadable after the update; hand out plain copies. */
function detach<T>(value: T): T {
  if (isDraft(value)) return current(value as object) as T;
  if (Array.isArray(value)) return value.map(detach) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, detach(entry)])) as T;
  }
  return value;
}

/**
 * A start on a read-only or full disk fails at the lock file; the operator is told which data
 * file it is about, not only an errno and the lock's path. The lock's own refusals (another
 * live server) carry no errno and already name the file.
 */
function cannotWrite(file: string, error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code !== "string") return error;
  return new Error(
    `store: cannot write ${file}: ${error.message}. The directory of DB_FILE must be writable.`,
    {
      cause: error,
    },
  );
}

function describeWriteError(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOSPC"
      ? "the disk is full"
      : code === "EROFS" || code === "EACCES" || code === "EPERM"
        ? "the disk is read-only or the file may not be written"
        : (error as Error).message;
  return `store: ${file} cannot be written: ${why}. Nothing was saved; the change was refused.`;
}
