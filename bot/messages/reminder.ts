import type { Session } from "../assembly/load.js";
import type { MessageContext } from "./context.js";
import { localized } from "./localized.js";
import type { Reply } from "./reply.js";
import { localeButtons, sessionWhen } from "./sessions.js";

/** Reminders this close to the start say only when and where. */
const SHORT_WITHIN_HOURS = 12;

/**
 * A session reminder: the title, "tirsdag den 14. april kl. 17-21", the venue and address, what
 * to bring, and that a NEJ is enough. Close to the start only the time and place.
 */
export function reminderReply(ctx: MessageContext, session: Session, hoursBefore: number): Reply {
  const values = {
    title: localized(session.title, ctx.language),
    when: sessionWhen(session, ctx),
    venue: session.venue.name,
    address: session.venue.address,
    bring: session.bring ? ctx.t("reminder.bring", { bring: localized(session.bring, ctx.language) }) : "",
  };
  const text = ctx.t(hoursBefore < SHORT_WITHIN_HOURS ? "reminder.short" : "reminder.full", values);
  return ctx.sms ? { text } : { text, buttons: localeButtons(ctx, "rsvp.buttons", ["yes", "no"]) };
}
