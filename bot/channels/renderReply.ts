import { CardFactory, MessageFactory, type Activity } from "botbuilder";
import type { Reply } from "../messages/reply.js";

/**
 * Shapes a Reply for the channel. Buttons become Adaptive Card Action.Submit buttons whose data
 * carries the answer as text, so Teams (imBack), Web Chat and the local page all send back the
 * same words a member could have typed.
 */
export function renderReply(reply: Reply, channelId: string): Partial<Activity> {
  if (channelId === "sms" || !reply.buttons?.length) return MessageFactory.text(reply.text);
  const card = CardFactory.adaptiveCard({
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body: [{ type: "TextBlock", text: reply.text, wrap: true }],
    actions: reply.buttons.map((button) => ({
      type: "Action.Submit",
      title: button.title,
      data: { text: button.value, msteams: { type: "imBack", value: button.value } },
    })),
  });
  return MessageFactory.attachment(card);
}

/** The text of a message, also when it came from a card button (Web Chat sends only `value`). */
export function messageText(activity: Partial<Activity>): string {
  if (typeof activity.text === "string" && activity.text.trim() !== "") return activity.text;
  const value = activity.value as { text?: unknown } | undefined;
  return typeof value?.text === "string" ? value.text : "";
}
