import type { MessageContext } from "./context.js";
import type { Reply, ReplyButton } from "./reply.js";
import { localeButtons } from "./sessions.js";

function startButtons(ctx: MessageContext): ReplyButton[] {
  return localeButtons(ctx, "buttons", ["nextSession", "location", "help"]);
}

export function welcomeReply(ctx: MessageContext): Reply {
  const values = { assembly: ctx.assembly.name, organizer: ctx.assembly.organizer };
  if (ctx.sms) return { text: ctx.t("welcome.sms", values) };
  return { text: ctx.t("welcome.chat", values), buttons: startButtons(ctx) };
}

export function helpReply(ctx: MessageContext): Reply {
  if (ctx.sms) return { text: ctx.t("help.sms") };
  return { text: ctx.t("help.chat"), buttons: startButtons(ctx) };
}

export function greetingReply(ctx: MessageContext): Reply {
  return ctx.sms ? { text: ctx.t("greeting") } : { text: ctx.t("greeting"), buttons: startButtons(ctx) };
}

export function thanksReply(ctx: MessageContext): Reply {
  return { text: ctx.t("thanks") };
}
