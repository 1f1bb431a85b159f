import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyCheckOf, loadSecret, verifyKeyCheck } from "../../bot/store/secret.js";

let dir: string;
let file: string;
const hex = "0123456789abcdef".repeat(4);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "borgerbot-secret-"));
  file = join(dir, "db.json.key");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadSecret", () => {
  it("reads an existing 64-character hex key", async () => {
    await writeFile(file, `${hex}\n`);
    expect((await loadSecret(file, { mayCreate: false })).toString("hex")).toBe(hex);
  });

  it("creates a missing key, readable by the owner only, when it may", async () => {
    const secret = await loadSecret(file, { mayCreate: true });
    expect(secret).toHaveLength(32);
    expect(await readFile(file, "utf8")).toBe(`${secret.toString("hex")}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadSecret(file, { mayCreate: true })).equals(secret)).toBe(true);
  });

  it("refuses to replace a missing key that the data file depends on", async () => {
    await expect(loadSecret(file, { mayCreate: false })).rejects.toThrow(
      new Error(
        `store: ${file} is missing, but the data file holds data keyed with it (erased people's suppression hashes). Restore the key from your backup; a new key would let erased people be invited again.`,
      ),
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a key file that does not hold a 64-character hex key", async () => {
    await writeFile(file, "not a key\n");
    await expect(loadSecret(file, { mayCreate: true })).rejects.toThrow(
      new Error(`store: ${file} is not a 64-character hex key`),
    );
    expect(await readFile(file, "utf8")).toBe("not a key\n");
  });
});

describe("key check", () => {
  const secret = Buffer.from(hex, "hex");

  it("is 16 hex characters that stay the same for the same key", () => {
    expect(keyCheckOf(secret)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyCheckOf(Buffer.from(hex, "hex"))).toBe(keyCheckOf(secret));
  });

  it("does not change between versions, or existing data files would report a wrong key", () => {
    expect(keyCheckOf(secret)).toBe("1ba3c25e41ada303");
  });

  it("differs for another key", () => {
    expect(keyCheckOf(Buffer.alloc(32, 1))).not.toBe(keyCheckOf(secret));
  });

  it("accepts the key the check was made with", () => {
    expect(() => verifyKeyCheck(file, secret, keyCheckOf(secret))).not.toThrow();
  });

  it("refuses another key with a message that says what to restore", () => {
    expect(() => verifyKeyCheck(file, Buffer.alloc(32, 1), keyCheckOf(secret))).toThrow(
      new Error(
        `store: ${file} does not match the data file (key check differs). Restore the right key from your backup.`,
      ),
    );
  });
});
