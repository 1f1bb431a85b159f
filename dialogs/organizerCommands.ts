import type { TurnContext } from "botbuilder";
import { answerInboxItem, listInbox, type AnswerResult } from "../bot/domain/inbox.js";
import { formatShortDate } from "../bot/format/danishTime.js";
import { getMemberTurn } from "./memberTurn.js";
import { messageContext, sendReply } from "./replies.js";
import type { DialogServices } from "./services.js";

/** Organizers answer by the first characters of an item's id, which stay valid as the inbox grows. */
const SHORT_ID_LENGTH = 6;
const LIST_COMMAND = /^(indbakke|inbox)$/i;
const ANSWER_COMMAND = /^(?:svar|answer)\s+([0-9a-f][0-9a-f-]{5,35})\s+([\s\S]+)$/i;

/**
 * Organizer commands in chat: "indbakke" lists open questions, "svar <id> <tekst>" answers one.
 * They are command syntax, not language, so they are matched exactly. Returns false when the
 * text is not an organizer command.
 */
export async function handleOrganizerCommand(
  context: TurnContext,
  text: string,
  services: DialogServices,
): Promise<boolean> {
  if (!getMemberTurn(context).isOrganizer) return false;
  const ctx = messageContext(services, context);
  if (LIST_COMMAND.test(text)) {
    const open = listInbox(services.store.data, { status: "open" });
    if (open.length === 0) {
      await sendReply(context, { text: ctx.t("organizer.inboxEmpty") });
      return true;
    }
    const lines = open.map((item) =>
      ctx.t("organizer.inboxLine", {
        id: item.id.slice(0, SHORT_ID_LENGTH),
        who: item.member.name ?? item.member.phone ?? ctx.t("organizer.unknownMember"),
        channel: item.channel,
        date: formatShortDate(new Date(item.createdAt), {
          language: ctx.language,
          timeZone: ctx.assembly.timeZone,
          now: ctx.now,
        }),
        text: item.text,
      }),
    );
    await sendReply(context, {
      text: [
        ctx.t("organizer.inboxHeader", { count: open.length }),
        ...lines,
        ctx.t("organizer.inboxHowTo"),
      ].join("\n\n"),
    });
    return true;
  }
  const answer = ANSWER_COMMAND.exec(text);
  if (!answer) return false;
  const [, prefix, answerText] = answer as unknown as [string, string, string];
  const matches = services.store.data.inbox.filter((item) => item.id.startsWith(prefix.toLowerCase()));
  if (matches.length !== 1) {
    await sendReply(context, {
      text: ctx.t(matches.length === 0 ? "organizer.notFound" : "organizer.ambiguous", { id: prefix }),
    });
    return true;
  }
  const result = await answerInboxItem(services, {
    id: matches[0]!.id,
    text: answerText.trim(),
    organizer: getMemberTurn(context).participant.id,
  });
  const keys: Record<AnswerResult["status"], string> = {
    answered:
      result.status === "answered" && result.item.delivery !== "sent"
        ? "organizer.answeredNotDelivered"
        : "organizer.answered",
    "already-answered": "organizer.alreadyAnswered",
    "delivery-failed": "organizer.deliveryFailed",
    "not-found": "organizer.notFound",
  };
  const key = keys[result.status];
  await sendReply(context, { text: ctx.t(key, { id: prefix }) });
  return true;
}
