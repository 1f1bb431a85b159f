import { open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import type { Patch } from "immer";

/** One commit: the changes of one or more store updates, numbered so a replay knows where it is. */
export interface LogRecord {
  seq: number;
  patches: Patch[];
}

export class WriteAheadLogBroken extends Error {}

/**
 * The store's append-only change log (DB_FILE.wal): one JSON line per commit, appended and
 * fdatasynced, so a commit costs what it changed rather than the size of the whole file.
 * A failed append is cut back off, so the log never holds a commit that was not acknowledged.
 */
export class WriteAheadLog {
  private constructor(
    private readonly file: string,
    private handle: FileHandle,
    /** Bytes known to be whole, synced records; a failed append is truncated back to it. */
    private size: number,
  ) {}

  static async open(file: string): Promise<WriteAheadLog> {
    const handle = await open(file, "a");
    const { size } = await handle.stat();
    return new WriteAheadLog(file, handle, size);
  }

  get bytes(): number {
    return this.size;
  }

  async append(records: LogRecord[]): Promise<void> {
    const text = records.map((record) => `${JSON.stringify(record)}\n`).join("");
    try {
      await this.handle.appendFile(text, "utf8");
      await this.handle.datasync();
      this.size += Buffer.byteLength(text);
    } catch (error) {
      await this.cutBack();
      throw error;
    }
  }

  /**
   * Starts a new, empty log and returns the name the old one was moved to, so compaction can
   * fold it into the snapshot while new commits keep arriving.
   */
  async rotate(): Promise<string> {
    const retired = `${this.file}.old`;
    await this.handle.close();
    await rename(this.file, retired);
    this.handle = await open(this.file, "a");
    this.size = 0;
    return retired;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async cutBack(): Promise<void> {
    try {
      await this.handle.truncate(this.size);
    } catch (error) {
      // A read-only disk usually wrote nothing at all; anything else means a torn record.
      const { size } = await this.handle.stat().catch(() => ({ size: Number.NaN }));
      if (size !== this.size) {
        throw new WriteAheadLogBroken(
          `store: ${this.file} holds a half-written commit that could not be removed; restart borgerbot`,
          { cause: error },
        );
      }
    }
  }
}

/**
 * Reads a log's records. A last line without its newline is a commit torn by a crash before it
 * was acknowledged: it is cut off. Damage anywhere else is not something a crash does, so the
 * start is refused rather than guessing.
 */
export async function readLogRecords(
  file: string,
  /** Absent: read only, a torn last line is skipped but left in place. */
  repair?: (message: string) => void,
): Promise<LogRecord[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n");
  const torn = lines.pop() ?? "";
  if (torn !== "" && repair) {
    const handle = await open(file, "r+");
    try {
      await handle.truncate(Buffer.byteLength(text) - Buffer.byteLength(torn));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    repair(`store: cut off a commit in ${file} that a crash left half-written (it was never acknowledged)`);
  }
  return lines.map((line, index) => parseRecord(file, line, index + 1));
}

export async function removeLog(file: string): Promise<void> {
  await rm(file, { force: true });
}

function parseRecord(file: string, line: string, lineNumber: number): LogRecord {
  try {
    const record = JSON.parse(line) as Partial<LogRecord>;
    if (typeof record.seq === "number" && Array.isArray(record.patches)) return record as LogRecord;
  } catch {
    // reported below
  }
  throw new Error(
    `store: ${file} line ${lineNumber} is not a borgerbot commit; restore the data file and its log from your backup`,
  );
}
