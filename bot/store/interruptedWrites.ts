import { lstat, readdir, realpath, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * write-file-atomic (v7, and the MurmurHash versions before it) writes `${target}.${n}`, n a
 * 32-bit unsigned integer in decimal, and renames it over the target. A process killed before
 * the rename leaves that file behind with a copy of personal data in it, which nothing would
 * ever remove. The pattern is anchored on the exact target name so that no other file in the
 * directory (backups, `data.json.1.bak`, another data file) is touched.
 */
const TEMP_SUFFIX = /^\.(0|[1-9][0-9]{0,9})$/;
const MAX_UINT32 = 2 ** 32 - 1;

/**
 * Removes temp files left by interrupted writes of `file` and of `${file}.key`, and returns the
 * names removed. Call it only while holding the process lock, before the first write: a temp
 * file of a write still under way looks the same. Log how many were removed, never their
 * contents: they hold personal data.
 */
export async function removeInterruptedWrites(file: string): Promise<string[]> {
  const targets = await withRealPaths([file, `${file}.key`]);
  const removed: string[] = [];
  for (const dir of new Set(targets.map((target) => dirname(target)))) {
    const names = new Set(targets.filter((target) => dirname(target) === dir).map((t) => basename(t)));
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    for (const entry of entries) {
      if (![...names].some((name) => isTempNameOf(entry, name))) continue;
      const path = join(dir, entry);
      // A temp file is a plain file; anything else with such a name is someone else's.
      const info = await lstat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      try {
        await unlink(path);
        removed.push(entry);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
  return removed.sort();
}

function isTempNameOf(entry: string, name: string): boolean {
  if (!entry.startsWith(name)) return false;
  const match = TEMP_SUFFIX.exec(entry.slice(name.length));
  return match !== null && Number(match[1]) <= MAX_UINT32;
}

/**
 * write-file-atomic puts the temp file next to the target's real path, so for a DB_FILE that is
 * a symlink the leftovers are beside the file it points to.
 */
async function withRealPaths(files: string[]): Promise<string[]> {
  const real = await Promise.all(files.map((file) => realpath(file).catch(() => file)));
  return [...new Set([...files, ...real])];
}
