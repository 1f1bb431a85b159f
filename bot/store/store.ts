import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Low } from "lowdb";
import lockfile from "proper-lockfile";
import { DurableJsonFile } from "./durableJsonFile.js";
import { migrate } from "./migrations.js";
import { loadOrCreateSecret } from "./secret.js";
import { dbSchema, emptyDb, type DbData } from "./schema.js";

export interface StoreOptions {
  file: string;
  now: () => Date;
  /** Called if another process takes the lock away from us (e.g. after a long freeze). */
  onLockLost?: (error: Error) => void;
}

/**
 * The one durable store. Mutations happen in memory and `update` resolves only once they are
 * on disk. Turns that update at the same time share one file write (group commit), so a busy
 * evening of SMS replies does not rewrite the file once per message.
 */
export class Store {
  /** Number of file writes so far; the group-commit test and the benchmark read it. */
  writes = 0;
  private nextWrite: Promise<void> | null = null;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: Low<DbData>,
    private readonly releaseLock: () => Promise<void>,
    /** The key for hashes that must not be reversible from the data file alone. */
    readonly secret: Buffer,
  ) {}

  static async open(options: StoreOptions): Promise<Store> {
    await mkdir(dirname(options.file), { recursive: true });
    const release = await lockStoreFile(options);
    try {
      const adapter = new DurableJsonFile<unknown>(options.file);
      const raw = await adapter.read();
      const { data, migrated } =
        raw === null ? { data: emptyDb(options.now()), migrated: true } : migrate(options.file, raw);
      const parsed = dbSchema.safeParse(data);
      if (!parsed.success) {
        const problems = parsed.error.issues
          .slice(0, 10)
          .map((issue) => `${issue.path.join(".")}: ${issue.message}`);
        throw new Error(
          `store: ${options.file} is not a valid borgerbot data file:\n  - ${problems.join("\n  - ")}`,
        );
      }
      const secret = await loadOrCreateSecret(`${options.file}.key`);
      const store = new Store(new Low(adapter as DurableJsonFile<DbData>, parsed.data), release, secret);
      if (migrated) await store.flush();
      return store;
    } catch (error) {
      await release();
      throw error;
    }
  }

  get data(): DbData {
    return this.db.data;
  }

  /** Applies `mutate` and resolves with its result once the change is on disk. */
  async update<T>(mutate: (data: DbData) => T): Promise<T> {
    const result = mutate(this.db.data);
    await this.flush();
    return result;
  }

  /**
   * Like update, for a mutation that often finds nothing to change (looking up who is
   * writing, say): the file is written only when `mutate` reports a change.
   */
  async updateIfChanged<T>(mutate: (data: DbData) => { result: T; changed: boolean }): Promise<T> {
    const { result, changed } = mutate(this.db.data);
    if (changed) await this.flush();
    return result;
  }

  /**
   * Everyone who asks while a write is running shares the write after it; that write starts on
   * the next macrotask so the turns of one event-loop tick are batched too.
   */
  flush(): Promise<void> {
    if (this.nextWrite) return this.nextWrite;
    const write = this.lastWrite
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async () => {
        this.nextWrite = null;
        this.writes++;
        await this.db.write();
      });
    this.nextWrite = write;
    this.lastWrite = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.lastWrite;
    await this.releaseLock();
  }
}

async function lockStoreFile(options: StoreOptions): Promise<() => Promise<void>> {
  try {
    // realpath: false lets us lock a data file that does not exist yet (first start).
    return await lockfile.lock(options.file, {
      realpath: false,
      stale: 15_000,
      update: 5_000,
      retries: 0,
      onCompromised: (error) => options.onLockLost?.(error),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new Error(
        `store: ${options.file} is in use by another borgerbot process. Stop that process, or set DB_FILE to another file.`,
        { cause: error },
      );
    }
    throw error;
  }
}
