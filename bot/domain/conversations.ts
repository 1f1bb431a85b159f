import type { ConversationRef, DbData } from "../store/schema.js";

/** The conversation a stored reference points at (botbuilder's `reference.conversation.id`). */
export function conversationIdOf(ref: Pick<ConversationRef, "reference">): string | undefined {
  const id = (ref.reference.conversation as { id?: unknown } | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

/**
 * The stored entry for a conversation: one per channel, user key and conversation, since a
 * Web Chat user may start several and erasure must find the dialog state of each.
 */
export function findConversation(
  data: DbData,
  entry: Pick<ConversationRef, "channel" | "key" | "reference">,
): ConversationRef | undefined {
  const id = conversationIdOf(entry);
  return data.conversationRefs.find(
    (ref) => ref.channel === entry.channel && ref.key === entry.key && conversationIdOf(ref) === id,
  );
}
