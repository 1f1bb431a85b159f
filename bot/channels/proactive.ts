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
    // A failure is caught here and thrown to the caller, rather than left to the adapter's
    // onTurnError, which would send an apology in place of the message and report success.
    let failure: unknown;
    const logic = async (context: TurnContext) => {
      try {
        await context.sendActivities(activities);
      } catch (error) {
        failure = error;
      }
    };
    if (ref.channel === SMS_CHANNEL_ID) await adapters.sms.continueConversation(reference, logic);
    else if (ref.channel === LOCAL_CHANNEL_ID) await adapters.local.continueConversation(reference, logic);
    else await adapters.cloud.continueConversationAsync(adapters.appId, reference, logic);
    if (failure !== undefined) throw failure;
  };
}
