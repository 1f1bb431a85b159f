import type { Storage, StoreItems } from "botbuilder";
import type { Store } from "../store/store.js";

/**
 * botbuilder's Storage over the durable store, so a conversation in the middle of a dialog
 * continues after a restart. Optimistic concurrency as in botbuilder's own storages: a write
 * with an eTag other than "*" must match the stored one.
 */
export class BotStateStorage implements Storage {
  private eTagCounter = 0;

  constructor(private readonly store: Store) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const item = this.store.data.botState[key];
      if (item) items[key] = { ...structuredClone(item.value), eTag: item.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.store.update((data) => {
      // Check every eTag before changing anything, so a conflict leaves all state as it was.
      for (const [key, change] of Object.entries(changes)) {
        const stored = data.botState[key];
        const eTag = (change as { eTag?: unknown } | undefined)?.eTag;
        if (stored && typeof eTag === "string" && eTag !== "*" && eTag !== stored.eTag) {
          throw new Error(`botStateStorage: eTag conflict for ${key}`);
        }
      }
      for (const [key, change] of Object.entries(changes)) {
        const { eTag: _eTag, ...value } = (change ?? {}) as Record<string, unknown>;
        data.botState[key] = { eTag: this.nextETag(), value: structuredClone(value) };
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.update((data) => {
      for (const key of keys) delete data.botState[key];
    });
  }

  private nextETag(): string {
    this.eTagCounter++;
    return `${Date.now().toString(36)}-${this.eTagCounter}`;
  }
}
