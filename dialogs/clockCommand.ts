import type { TurnContext } from "botbuilder";
import { clockReply, type ClockChange } from "../bot/messages/clock.js";
import { messageContext, sendReply } from "./replies.js";
import type { DialogServices } from "./services.js";

/** "tid", "tid nu", or "tid +2d" / "tid +3t" / "tid +30m" (dage, timer, minutter). */
const CLOCK_COMMAND = /^tid(?:\s+(?:(nu)|\+\s*(\d{1,4})\s*([dtm])))?$/i;
const UNIT_MS: Record<string, number> = { d: 24 * 3600 * 1000, t: 3600 * 1000, m: 60 * 1000 };

/**
 * The local page's clock: "tid +2d" moves the bot's time forward, "tid nu" sets it back, "tid"
 * shows it. Command syntax, matched exactly. It exists only in local mode (when the services
 * carry a clock to move); elsewhere "tid" is text like any other. Returns false when the text
 * is not the command.
 */
export async function handleClockCommand(
  context: TurnContext,
  text: string,
  services: DialogServices,
): Promise<boolean> {
  const { localClock } = services;
  const match = localClock && CLOCK_COMMAND.exec(text);
  if (!localClock || !match) return false;
  const [, reset, amount, unit] = match;
  let change: ClockChange = "shown";
  if (reset) {
    localClock.clock.reset();
    change = "reset";
  } else if (amount && unit) {
    localClock.clock.advance(Number(amount) * UNIT_MS[unit.toLowerCase()]!);
    change = "moved";
  }
  await sendReply(context, clockReply(messageContext(services, context), change));
  // Outside the turn and after it, so what became due is claimed and sent as every tick does it.
  if (change !== "shown") services.store.afterTurn(() => void localClock.tick());
  return true;
}
