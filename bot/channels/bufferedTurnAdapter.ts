import {
  ActivityTypes,
  BotAdapter,
  DeliveryModes,
  TurnContext,
  type Activity,
  type ConversationReference,
} from "botbuilder";

/**
 * Base for our own channels (SMS, the local page), whose turns answer within one HTTP
 * response. The turn runs with deliveryMode expectReplies, so botbuilder buffers the replies on
 * the context instead of calling sendActivities; sendActivities is left for proactive messages.
 */
export abstract class BufferedTurnAdapter extends BotAdapter {
  protected abstract readonly channelName: string;

  protected async runBufferedTurn(
    activity: Partial<Activity>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<Partial<Activity>[]> {
    const context = new TurnContext(this, { ...activity, deliveryMode: DeliveryModes.ExpectReplies });
    await this.runMiddleware(context, logic);
    return context.bufferedReplyActivities.filter((reply) => reply.type === ActivityTypes.Message);
  }

  async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: "continueConversation" },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async updateActivity(): Promise<void> {
    throw new Error(`${this.channelName}: a sent message cannot be edited`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`${this.channelName}: a sent message cannot be deleted`);
  }
}
