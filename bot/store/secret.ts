import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";

/**
 * A random key kept next to the data file (DB_FILE.key, readable by the owner only). It keys
 * hashes that must not be reversible by someone who has only the data file or a backup of it,
 * such as the numbers of people who asked to be erased.
 */
export async function loadOrCreateSecret(file: string): Promise<Buffer> {
  try {
    const hex = (await readFile(file, "utf8")).trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`store: ${file} is not a 64-character hex key`);
    return Buffer.from(hex, "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const secret = randomBytes(32);
    await writeFileAtomic(file, `${secret.toString("hex")}\n`, { mode: 0o600, fsync: true });
    return secret;
  }
}
