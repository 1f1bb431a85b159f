import type { Activity, BotAdapter, CloudAdapter, ConversationReference, TurnContext } from "botbuilder";
import type { ConversationRef } from "../store/schema.js";
import type { ChatTransport } from "../outbound/transports.js";
import { LOCAL_CHANNEL_ID } from "./localAdapter.js";
import { renderReply } from "./renderReply.js";

export interface ProactiveAdapters {
  cloud: CloudAdapter;
  local: BotAdapter;
  appId: string;
}

/**
 * The Bot Connector refused the conversation for good: 403 (the bot was removed, or the member
 * blocked it) or 404 (the conversation is gone). Sending there again cannot work until the
 * member writes to the bot anew. Any other failure (5xx, 429, no network) may pass.
 */
export class ConversationUnusableError extends Error {
  constructor(
    readonly statusCode: 403 | 404,
    /** The service's own error code, e.g. "ConversationNotFound". */
    readonly code: string | undefined,
    message: string,
  ) {
    super(`Bot Connector ${statusCode}${code ? ` ${code}` : ""}: ${message}`);
    this.name = "ConversationUnusableError";
  }
}

/**
 * botbuilder's connector client throws a RestError that carries the HTTP `statusCode` and the
 * body's error `code`. A 403 or 404 becomes a ConversationUnusableError; the rest is unchanged.
 */
export function classifyConnectorError(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (statusCode !== 403 && statusCode !== 404) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConversationUnusableError(statusCode, typeof code === "string" ? code : undefined, message);
}

/**
 * Teams, Web Chat and the local page for the outbound pipeline: sends one message on the
 * conversation's own channel outside a turn, and says what came of it as a value.
 */
export function createChatTransport(adapters: ProactiveAdapters): ChatTransport {
  async function sendProactive(ref: ConversationRef, activities: Partial<Activity>[]): Promise<void> {
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
    if (ref.channel === LOCAL_CHANNEL_ID) await adapters.local.continueConversation(reference, logic);
    else {
      try {
        await adapters.cloud.continueConversationAsync(adapters.appId, reference, logic);
      } catch (error) {
        failure ??= error;
      }
      if (failure !== undefined) throw classifyConnectorError(failure);
    }
    if (failure !== undefined) throw failure;
  }

  return {
    async send({ ref, reply, purpose }) {
      try {
        await sendProactive(ref, [{ ...renderReply(reply, ref.channel), channelData: { purpose } }]);
        return { status: "sent" };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { status: "failed", error: message, permanent: error instanceof ConversationUnusableError };
      }
    },
  };
}
