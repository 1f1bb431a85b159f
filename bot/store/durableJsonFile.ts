import { readFile } from "node:fs/promises";
import type { Adapter } from "lowdb";
import writeFileAtomic from "write-file-atomic";

/**
 * lowdb adapter for one JSON file. Writes go to a temporary file that is fsynced and then
 * renamed over the original, so a crash or power cut leaves either the old or the new file,
 * never half of one, and a resolved write is on disk.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`store: ${this.file} is not valid JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data), { fsync: true });
  }
}
