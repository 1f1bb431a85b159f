import type { CloudAdapter, Request, Response, TurnContext } from "botbuilder";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createCloudAdapter } from "../../bot/channels/cloudAdapter.js";
import { loadConfig } from "../../bot/config.js";

/** A restify-shaped response that records the status, as server.ts hands CloudAdapter one. */
function recordingResponse(): Response & { statusCode?: number } {
  const res: Response & { statusCode?: number } = {
    socket: null,
    end: () => res,
    header: () => res,
    send: () => res,
    status: (code: number) => {
      res.statusCode = code;
      return res;
    },
  };
  return res;
}

function request(serviceUrl: string, authorization?: string): Request {
  return {
    method: "POST",
    headers: authorization ? { authorization } : {},
    body: {
      type: "message",
      id: "a1",
      text: "hej",
      channelId: "emulator",
      serviceUrl,
      deliveryMode: "expectReplies",
      from: { id: "member" },
      recipient: { id: "bot" },
      conversation: { id: "conversation" },
    },
  };
}

/** The connector and user-token clients a turn received, and the response's status. */
async function turnClients(adapter: CloudAdapter, serviceUrl: string, authorization?: string) {
  let clients: unknown[] = [];
  const res = recordingResponse();
  await adapter.process(request(serviceUrl, authorization), res, async (context: TurnContext) => {
    clients = [
      context.turnState.get(adapter.ConnectorClientKey),
      context.turnState.get(adapter.UserTokenClientKey),
    ];
  });
  return { clients, status: res.statusCode };
}

describe("cloud adapter", () => {
  it("reuses the connector and user-token clients of a serviceUrl from turn to turn", async () => {
    const adapter = createCloudAdapter(loadConfig({}));
    const first = await turnClients(adapter, "http://127.0.0.1:1/");
    const second = await turnClients(adapter, "http://127.0.0.1:1/");
    const elsewhere = await turnClients(adapter, "http://127.0.0.1:2/");

    expect(first.status).toBe(200);
    expect(first.clients[0]).toBeDefined();
    expect(first.clients[1]).toBeDefined();
    expect(second.clients[0]).toBe(first.clients[0]);
    expect(second.clients[1]).toBe(first.clients[1]);
    expect(elsewhere.clients[0]).not.toBe(first.clients[0]);
    expect(elsewhere.clients[1]).toBe(first.clients[1]);
  });

  it("still authenticates every request outside local mode", async () => {
    const adapter = createCloudAdapter(
      loadConfig({ MicrosoftAppId: "00000000-0000-0000-0000-000000000001", MicrosoftAppPassword: "secret" }),
    );
    // botbuilder logs each refusal to the console; the status is what counts here.
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onTestFinished(() => logged.mockRestore());
    for (const authorization of [undefined, "Bearer not-a-token"]) {
      const turn = await turnClients(adapter, "https://smba.trafficmanager.net/emea/", authorization);
      expect(turn.status).toBe(401);
      expect(turn.clients).toEqual([]);
    }
  });
});
