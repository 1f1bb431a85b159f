import { formatSessionShort } from "../format/danishTime.js";
import { measureSms } from "../sms/gsm.js";
import type { MessageContext } from "./context.js";
import type { Reply } from "./reply.js";

/** "Søren" from "Søren Hansen"; left out when it would push the SMS out of GSM-7. */
function firstName(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first && measureSms(first).encoding === "GSM-7" ? first : undefined;
}

export function sessionList(ctx: MessageContext): string[] {
  return ctx.assembly.sessions
    .filter((session) => session.end > ctx.now)
    .map((session) =>
      formatSessionShort(session.start, session.end, {
        language: ctx.language,
        timeZone: ctx.assembly.timeZone,
      }),
    );
}

export function joinList(items: string[], ctx: MessageContext): string {
  return new Intl.ListFormat(ctx.language === "da" ? "da-DK" : "en-GB", {
    style: "long",
    type: "conjunction",
  }).format(items);
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
    buttons: (["yes", "no", "maybe"] as const).map((answer) => ({
      title: ctx.t(`rsvp.buttons.${answer}.title`),
      value: ctx.t(`rsvp.buttons.${answer}.value`),
    })),
  };
}
