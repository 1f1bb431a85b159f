import { formatMoment } from "../format/danishTime.js";
import type { MessageContext } from "./context.js";
import type { Reply } from "./reply.js";

/** What `tid` did to the bot's clock: moved it, set it back to the real time, or only asked. */
export type ClockChange = "moved" | "reset" | "shown";

/** The bot's time after a `tid` command on the local page (`ctx.now` is that time). */
export function clockReply(ctx: MessageContext, change: ClockChange): Reply {
  const time = formatMoment(ctx.now, { language: ctx.language, timeZone: ctx.assembly.timeZone });
  return { text: ctx.t(`clock.${change}`, { time }) };
}
