import type { TurnContext } from "botbuilder";

/**
 * The bot's logic for one turn, as every adapter runs it. The HTTP layer passes it on to an
 * adapter without looking inside the context, so it needs no botbuilder type of its own.
 */
export type RunTurn = (context: TurnContext) => Promise<void>;
