import type { AdjustableClock } from "../bot/adjustableClock.js";
import type { Assembly } from "../bot/assembly/load.js";
import type { Language, Translate } from "../bot/i18n/i18n.js";
import type { Logger } from "../bot/logger.js";
import type { Outbound } from "../bot/outbound/outbound.js";
import type { Store } from "../bot/store/store.js";

/** The understanding the dialogs need: the intent ids are those of the NLU issue. */
export type Classify = (text: string) => { intent: string; score: number };

/** Everything a dialog may use, passed in once when the dialogs are built. */
export interface DialogServices {
  store: Store;
  assembly: Assembly;
  translate: (language: Language) => Translate;
  clock: () => Date;
  classify: Classify;
  logger: Logger;
  /** Organizers' answers and notices to organizers leave through it. */
  outbound: Pick<Outbound, "sendToParticipant" | "notifyOrganizers">;
  /** Local mode only: the clock `tid +2d` moves, and the scheduler tick that sends what became due. */
  localClock?: { clock: AdjustableClock; tick: () => Promise<unknown> };
}
