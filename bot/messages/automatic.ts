import { TZDate } from "@date-fns/tz";
import type { Session } from "../assembly/load.js";
import { formatDay, localDateOf } from "../format/danishTime.js";
import type { MessageContext } from "./context.js";
import type { Reply } from "./reply.js";
import { localeButtons, sessionWhen } from "./sessions.js";

/** Sessions ending at this hour or later were "i aften"; earlier ones "i dag". */
const EVENING_FROM_HOUR = 17;

/** The one follow-up to a member who has not answered: the assembly, and the last day to answer. */
export function nudgeReply(ctx: MessageContext, deadline: string): Reply {
  const [year, month, day] = deadline.split("-").map(Number) as [number, number, number];
  const when = formatDay(new Date(new TZDate(year, month - 1, day, 12, 0, ctx.assembly.timeZone).getTime()), {
    language: ctx.language,
    timeZone: ctx.assembly.timeZone,
    now: ctx.now,
  });
  const text = ctx.t("nudge.text", { assembly: ctx.assembly.name, deadline: when });
  return ctx.sms ? { text } : { text, buttons: localeButtons(ctx, "rsvp.buttons", ["yes", "no", "maybe"]) };
}

/**
 * After a session: thanks, and that feedback questions follow. Sent the next morning after the
 * quiet hours, it says "i går", not "i aften".
 */
export function feedbackRequestReply(ctx: MessageContext, session: Session): Reply {
  const { timeZone } = ctx.assembly;
  const sameDay = localDateOf(session.end, timeZone) === localDateOf(ctx.now, timeZone);
  const evening = new TZDate(session.end.getTime(), timeZone).getHours() >= EVENING_FROM_HOUR;
  const key = !sameDay ? "yesterday" : evening ? "tonight" : "today";
  return { text: ctx.t(`feedbackRequest.${key}`) };
}

/**
 * "Mødet lørdag den 14. marts er aflyst." or "… er flyttet til lørdag den 21. marts kl. 10-16.",
 * for those who would have been reminded of it.
 */
export function sessionChangeReply(ctx: MessageContext, from: Date, session: Session | undefined): Reply {
  const day = formatDay(from, { language: ctx.language, timeZone: ctx.assembly.timeZone, now: ctx.now });
  if (!session || session.cancelled) return { text: ctx.t("sessionChange.cancelled", { day }) };
  return {
    text: ctx.t("sessionChange.moved", { day, when: sessionWhen(session, ctx), venue: session.venue.name }),
  };
}
