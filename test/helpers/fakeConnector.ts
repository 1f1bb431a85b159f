import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedActivity {
  conversationId: string;
  activity: {
    text?: string;
    attachments?: Array<{ content: { body: Array<{ text: string }>; actions?: Array<{ title: string }> } }>;
  };
  /** Whatever the test wants to know at the moment the message arrived (e.g. the data file). */
  seen: unknown;
}

/** How the real Bot Connector refuses a conversation the bot can no longer reach. */
export type ConnectorRefusal = 403 | 404;

/** The bodies the real service sends with these statuses. */
const REFUSALS: Record<ConnectorRefusal, { code: string; message: string }> = {
  403: { code: "BotNotInConversationRoster", message: "The bot is not part of the conversation roster." },
  404: { code: "ConversationNotFound", message: "Conversation not found." },
};

/**
 * A stand-in for the Bot Connector service that Azure Bot Service runs for Teams and Web
 * Chat: it receives the bot's replies and proactive messages as the real one would.
 */
export async function startFakeConnector(onReceive: () => unknown = () => undefined) {
  const received: ReceivedActivity[] = [];
  /** Every message the bot tried to send, answered or refused. */
  const attempts: Array<{ conversationId: string; status: number }> = [];
  const refused = new Map<string, number>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? "");
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.method === "POST" && match) {
      const conversationId = decodeURIComponent(match[1]!);
      const refusal = refused.get(conversationId);
      attempts.push({ conversationId, status: refusal ?? 200 });
      if (refusal) {
        res.writeHead(refusal, { "content-type": "application/json" });
        const error = REFUSALS[refusal as ConnectorRefusal] ?? {
          code: "ServiceError",
          message: "Bad gateway.",
        };
        res.end(JSON.stringify({ error }));
        return;
      }
      received.push({ conversationId, activity: JSON.parse(body), seen: await onReceive() });
      // restify patches http.ServerResponse in this process, so writeHead does not chain here.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: `reply-${received.length}` }));
      return;
    }
    res.writeHead(404);
    res.end();
  };
  const server: Server = createServer((req, res) => {
    // A broken request must fail the test that sent it, not become an unhandled rejection.
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    attempts,
    /**
     * From now on, refuse every message to this conversation as the real service would: 403 or
     * 404 for good, or another status (502) for a failure that may pass.
     */
    refuse: (conversationId: string, status: ConnectorRefusal | 502) =>
      void refused.set(conversationId, status),
    /** The conversation works again (the member added the bot back). */
    accept: (conversationId: string) => void refused.delete(conversationId),
    texts: () =>
      received.map((r) => r.activity.text ?? r.activity.attachments?.[0]?.content.body[0]?.text ?? ""),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
