import type { Storage, StoreItems } from "botbuilder";
import type { StateItem } from "../store/schema.js";
import type { Store } from "../store/store.js";

const byKey = (item: StateItem) => item.key;

/**
 * botbuilder's Storage over the durable store, so a conversation in the middle of a dialog
 * continues after a restart. There is no eTag check: botbuilder's ConversationState always
 * saves with eTag "*", so it could never fire. Two turns of one conversation are kept apart by
 * running them one after the other instead (turnOrder.ts).
 */
export class BotStateStorage implements Storage {
  private eTagCounter = 0;

  constructor(private readonly store: Store) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const item = this.store.data.botState.lookup(byKey, key);
      if (item) items[key] = { ...structuredClone(item.value), eTag: item.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.store.update((data) => {
      for (const [key, change] of Object.entries(changes)) {
        const { eTag: _eTag, ...value } = (change ?? {}) as Record<string, unknown>;
        const item = { key, eTag: this.nextETag(), value: structuredClone(value) };
        const stored = data.botState.lookup(byKey, key);
        if (stored) Object.assign(stored, item);
        else data.botState.push(item);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.update((data) => {
      const gone = new Set(keys);
      data.botState.removeWhere((item) => gone.has(item.key));
    });
  }

  private nextETag(): string {
    this.eTagCounter++;
    return `${Date.now().toString(36)}-${this.eTagCounter}`;
  }
}
