import { measureSms } from "../sms/gsm.js";
import type { MessageContext } from "./context.js";
import type { Reply } from "./reply.js";
import { joinList, localeButtons, sessionList } from "./sessions.js";

/** "Søren" from "Søren Hansen"; left out when it would push the SMS out of GSM-7. */
function firstName(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first && measureSms(first).encoding === "GSM-7" ? first : undefined;
}

/**
 * The invitation: who invites, the topic, the number and dates of the sessions, what to answer
 * and how to opt out. On SMS it must stay GSM-7 and within three segments.
 */
export function invitationReply(ctx: MessageContext, name: string | undefined): Reply {
  const sessions = sessionList(ctx);
  const values = {
    name: firstName(name),
    organizer: ctx.assembly.organizer,
    assembly: ctx.assembly.name,
    count: sessions.length,
    sessions: joinList(sessions, ctx),
    sessionLines: sessions.map((line) => `- ${line}`).join("\n"),
  };
  const greeting = values.name ? ctx.t("invitation.greetingName", values) : ctx.t("invitation.greeting");
  if (ctx.sms) return { text: ctx.t("invitation.sms", { ...values, greeting }) };
  return {
    text: ctx.t("invitation.chat", { ...values, greeting }),
    buttons: localeButtons(ctx, "rsvp.buttons", ["yes", "no", "maybe"]),
  };
}
