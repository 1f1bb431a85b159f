import type { Activity, BotAdapter, CloudAdapter, ConversationReference, TurnContext } from "botbuilder";
import type { ConversationRef } from "../store/schema.js";
import { LOCAL_CHANNEL_ID } from "./localAdapter.js";
import { SMS_CHANNEL_ID } from "./smsAdapter.js";

export interface ProactiveAdapters {
  cloud: CloudAdapter;
  sms: BotAdapter;
  local: BotAdapter;
  appId: string;
}

/** Sends messages outside a turn on the conversation's own channel. */
export type SendProactive = (ref: ConversationRef, activities: Partial<Activity>[]) => Promise<void>;

export function createProactiveSender(adapters: ProactiveAdapters): SendProactive {
  return async (ref, activities) => {
    const reference = ref.reference as Partial<ConversationReference>;
    const logic = async (context: TurnContext) => {
      await context.sendActivities(activities);
    };
    if (ref.channel === SMS_CHANNEL_ID) return adapters.sms.continueConversation(reference, logic);
    if (ref.channel === LOCAL_CHANNEL_ID) return adapters.local.continueConversation(reference, logic);
    await adapters.cloud.continueConversationAsync(adapters.appId, reference, logic);
  };
}
