import { ConversationState, type BotAdapter, type TurnContext } from "botbuilder";
import { MainDialog } from "../../dialogs/mainDialog.js";
import { tryGetMemberTurn } from "../../dialogs/memberTurn.js";
import type { DialogServices } from "../../dialogs/services.js";
import type { OrganizerDirectory } from "../domain/organizers.js";
import type { Language, Translate } from "../i18n/i18n.js";
import type { Logger } from "../logger.js";
import { BorgerBot } from "./borgerBot.js";
import { BotStateStorage } from "./botStateStorage.js";
import type { RunTurn } from "./runTurn.js";
import { createTurnOrder, type TurnOrder } from "./turnOrder.js";

export interface BotTurns {
  /** A turn in its conversation's order (Teams, Web Chat, the local page). */
  runTurn: RunTurn;
  /** The bot itself, for callers that put turns in order themselves (the SMS journal). */
  runUnordered: RunTurn;
  turnOrder: TurnOrder;
}

/** Builds the bot, its state storage and the error turn every adapter shares. */
export function createBotTurns(deps: {
  services: DialogServices;
  organizers: OrganizerDirectory;
  translate: (language: Language) => Translate;
  logger: Logger;
  adapters: BotAdapter[];
}): BotTurns {
  const { services, logger } = deps;
  const bot = new BorgerBot({
    services,
    conversationState: new ConversationState(new BotStateStorage(services.store)),
    mainDialog: new MainDialog(services),
    organizers: deps.organizers,
  });
  const onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, channel: context.activity.channelId }, "turn failed");
    // Replies buffered before the failure may promise what was never saved; only the apology goes.
    context.bufferedReplyActivities.length = 0;
    const language = tryGetMemberTurn(context)?.language ?? "da";
    await context.sendActivity(deps.translate(language)("errors.generic"));
  };
  for (const adapter of deps.adapters) adapter.onTurnError = onTurnError;
  const turnOrder = createTurnOrder();
  const runUnordered: RunTurn = (context) => bot.run(context);
  return {
    runTurn: (context) =>
      turnOrder.run(`${context.activity.channelId}/${context.activity.conversation.id}`, () =>
        runUnordered(context),
      ),
    runUnordered,
    turnOrder,
  };
}
