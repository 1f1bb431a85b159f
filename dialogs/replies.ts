import type { TurnContext } from "botbuilder";
import { renderReply } from "../bot/channels/renderReply.js";
import type { MessageContext } from "../bot/messages/context.js";
import { mustFindParticipant } from "../bot/domain/participants.js";
import { welcomeReply } from "../bot/messages/general.js";
import type { Reply } from "../bot/messages/reply.js";
import { getMemberTurn } from "./memberTurn.js";
import type { DialogServices } from "./services.js";

export function messageContext(services: DialogServices, context: TurnContext): MessageContext {
  const member = getMemberTurn(context);
  return {
    t: services.translate(member.language),
    language: member.language,
    assembly: services.assembly,
    now: services.clock(),
    sms: member.channel === "sms",
  };
}

export async function sendReply(context: TurnContext, reply: Reply): Promise<void> {
  await context.sendActivity(renderReply(reply, context.activity.channelId));
}

/** The welcome, the first time we meet someone; marked on disk before it is sent. */
export async function sendWelcomeOnce(context: TurnContext, services: DialogServices): Promise<void> {
  const member = getMemberTurn(context);
  if (member.participant.welcomedAt) return;
  await services.store.update((data) => {
    mustFindParticipant(data, member.participant.id).welcomedAt = services.clock().toISOString();
  });
  await sendReply(context, welcomeReply(messageContext(services, context)));
}
