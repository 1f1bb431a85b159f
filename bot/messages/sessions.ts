import type { Session } from "../assembly/load.js";
import { formatSessionShort, formatSessionTime } from "../format/danishTime.js";
import type { MessageContext } from "./context.js";
import type { ReplyButton } from "./reply.js";

/** "lørdag den 14. marts kl. 10-16" (or "i morgen (lørdag) kl. 10-16") for one session. */
export function sessionWhen(session: Session, ctx: MessageContext): string {
  return formatSessionTime(session.start, session.end, {
    language: ctx.language,
    timeZone: ctx.assembly.timeZone,
    now: ctx.now,
  });
}

/** The sessions still ahead, short: "tirsdag 15. dec. kl. 17-21". */
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

/** "a, b og c" in Danish, "a, b and c" in English. */
export function joinList(items: string[], ctx: MessageContext): string {
  return new Intl.ListFormat(ctx.language === "da" ? "da-DK" : "en-GB", {
    style: "long",
    type: "conjunction",
  }).format(items);
}

/** Buttons whose title and value live in the locales under `group.<key>.title/value`. */
export function localeButtons(ctx: MessageContext, group: string, keys: readonly string[]): ReplyButton[] {
  return keys.map((key) => ({
    title: ctx.t(`${group}.${key}.title`),
    value: ctx.t(`${group}.${key}.value`),
  }));
}
