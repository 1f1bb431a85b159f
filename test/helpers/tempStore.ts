import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../bot/store/store.js";

/** A real store on a temporary file, for tests below the HTTP layer. */
export async function openTempStore(
  now: () => Date,
): Promise<{ store: Store; file: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "borgerbot-store-"));
  const file = join(dir, "db.json");
  const store = await Store.open({ file, now });
  return {
    store,
    file,
    async cleanup() {
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
