import { createHmac, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";

/**
 * A random key kept next to the data file (DB_FILE.key, readable by the owner only). It keys
 * hashes that must not be reversible by someone who has only the data file or a backup of it,
 * such as the numbers of people who asked to be erased.
 *
 * Losing the key must not pass silently: with a new key the hashes of erased people no longer
 * match, and they could be invited again. So a key is only made when the caller says the data
 * file holds nothing keyed with the old one (`mayCreate`).
 */
export async function loadSecret(file: string, options: { mayCreate: boolean }): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (!options.mayCreate) {
      throw new Error(
        `store: ${file} is missing, but the data file holds data keyed with it (erased people's suppression hashes). Restore the key from your backup; a new key would let erased people be invited again.`,
        { cause: error },
      );
    }
    const secret = randomBytes(32);
    await writeFileAtomic(file, `${secret.toString("hex")}\n`, { mode: 0o600, fsync: true });
    return secret;
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`store: ${file} is not a 64-character hex key`);
  return Buffer.from(hex, "hex");
}

/**
 * A fixed label, so the check says nothing about any real input. Changing it would make every
 * existing data file report a wrong key.
 */
const KEY_CHECK_LABEL = "borgerbot key check v1";

/**
 * A short fingerprint of the key for the data file's meta, so a key from another installation
 * or an old backup is caught at start instead of silently failing to match erased people. It is
 * an HMAC, so it does not help anyone recover the key; 64 bits are plenty to tell keys apart.
 */
export function keyCheckOf(secret: Buffer): string {
  return createHmac("sha256", secret).update(KEY_CHECK_LABEL).digest("hex").slice(0, 16);
}

/** Throws unless `secret` is the key that `expected` (from the data file's meta) was made with. */
export function verifyKeyCheck(file: string, secret: Buffer, expected: string): void {
  // A plain comparison is fine: the expected value is no secret, it sits in the data file.
  if (keyCheckOf(secret) !== expected) {
    throw new Error(
      `store: ${file} does not match the data file (key check differs). Restore the right key from your backup.`,
    );
  }
}
