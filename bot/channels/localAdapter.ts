import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from "botbuilder";
import type { Store } from "../store/store.js";
import { BufferedTurnAdapter } from "./bufferedTurnAdapter.js";
import type { RunTurn } from "./runTurn.js";

export const LOCAL_CHANNEL_ID = "local";

export interface LocalChatInput {
  userId: string;
  userName?: string;
  type: "message" | "conversationUpdate";
  text?: string;
  value?: Record<string, unknown>;
}

/**
 * The local chat page as a channel, for trying the bot with no account. A turn returns its
 * replies in the HTTP response; messages outside a turn wait in the store until the page polls.
 */
export class LocalChatAdapter extends BufferedTurnAdapter {
  protected readonly channelName = "localAdapter";

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
  ) {
    super();
  }

  processInput(input: LocalChatInput, logic: RunTurn): Promise<Partial<Activity>[]> {
    const user = { id: input.userId, name: input.userName ?? "", role: "user" };
    const bot = { id: "borgerbot", name: "borgerbot", role: "bot" };
    return this.runBufferedTurn(
      {
        type: input.type === "conversationUpdate" ? ActivityTypes.ConversationUpdate : ActivityTypes.Message,
        id: `${this.clock().getTime()}`,
        channelId: LOCAL_CHANNEL_ID,
        serviceUrl: LOCAL_CHANNEL_ID,
        timestamp: this.clock(),
        from: user,
        recipient: bot,
        conversation: { id: input.userId, name: "", isGroup: false, conversationType: "personal" },
        locale: "da-DK",
        ...(input.type === "conversationUpdate"
          ? { membersAdded: [user, bot] }
          : { text: input.text ?? "", value: input.value }),
      },
      logic,
    );
  }

  /** Proactive messages for one user after `after`, oldest first. */
  pendingFor(userId: string, after: number): { activities: Array<Record<string, unknown>>; next: number } {
    const activities = this.store.data.localDeliveries
      .filter((delivery) => delivery.userId === userId && delivery.seq > after)
      .map((delivery) => ({ ...delivery.activity, seq: delivery.seq }));
    const next = activities.reduce((max, activity) => Math.max(max, activity.seq), after);
    return { activities, next };
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return this.store.update((data) =>
      activities.map((activity) => {
        const seq = (data.localDeliveries.at(-1)?.seq ?? 0) + 1;
        data.localDeliveries.push({
          seq,
          userId: activity.conversation?.id ?? "",
          activity: { type: activity.type, text: activity.text, attachments: activity.attachments },
          at: this.clock().toISOString(),
        });
        return { id: String(seq) };
      }),
    );
  }
}
