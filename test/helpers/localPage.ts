import { expect } from "vitest";

/**
 * What the local chat page sends for the member "prove-bruger": the conversationUpdate it opens
 * with (no text), which makes the newcomer an invited member, or a message. Returns the texts of
 * the bot's replies.
 */
export async function sayOnLocalPage(baseUrl: string, text?: string): Promise<Array<string | undefined>> {
  const res = await fetch(`${baseUrl}/api/local/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      userId: "prove-bruger",
      userName: "Prøve",
      ...(text === undefined ? { type: "conversationUpdate" } : { text }),
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map((a) => a.text);
}
