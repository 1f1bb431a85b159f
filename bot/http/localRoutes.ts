import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Response, Server } from "restify";
import { z } from "zod";
import type { LocalChatAdapter } from "../channels/localAdapter.js";
import type { RunTurn } from "../channels/runTurn.js";
import type { Logger } from "../logger.js";
import { parseOrThrow, readJsonBody } from "./body.js";
import { guarded, sendJson } from "./respond.js";

const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));
const ADAPTIVE_CARDS_JS = createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.min.js");
const STATIC_FILES: Record<string, { path: string; type: string }> = {
  "/": { path: `${WEB_DIR}index.html`, type: "text/html; charset=utf-8" },
  "/web/chat.js": { path: `${WEB_DIR}chat.js`, type: "text/javascript; charset=utf-8" },
  "/web/chat.css": { path: `${WEB_DIR}chat.css`, type: "text/css; charset=utf-8" },
  "/vendor/adaptivecards.js": { path: ADAPTIVE_CARDS_JS, type: "text/javascript; charset=utf-8" },
};

const userId = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1-100 letters, digits or . _ : -");
const inputSchema = z.object({
  userId,
  userName: z.string().max(100).optional(),
  type: z.enum(["message", "conversationUpdate"]).default("message"),
  text: z.string().max(5000).optional(),
  value: z.record(z.string(), z.unknown()).optional(),
});
const pollSchema = z.object({ userId, after: z.coerce.number().int().min(0).default(0) });

export interface LocalRouteDeps {
  server: Server;
  adapter: LocalChatAdapter;
  logger: Logger;
  runTurn: RunTurn;
}

async function serveFile(res: Response, file: { path: string; type: string }): Promise<void> {
  const content = await readFile(file.path);
  res.status(200);
  res.setHeader("content-type", file.type);
  res.setHeader("cache-control", "no-cache");
  res.end(content);
}

/**
 * The local chat page and its endpoint. They exist only in local mode: on a deployed bot they
 * would let anyone chat while posing as any user id.
 */
export function registerLocalRoutes(deps: LocalRouteDeps): void {
  const { server, logger } = deps;
  for (const [route, file] of Object.entries(STATIC_FILES)) {
    server.get(
      route,
      guarded(logger, "local-page", (_req, res) => serveFile(res, file)),
    );
  }

  server.post(
    "/api/local/messages",
    guarded(logger, "local-messages", async (req, res) => {
      const input = parseOrThrow(inputSchema, await readJsonBody(req));
      const activities = await deps.adapter.processInput(input, deps.runTurn);
      sendJson(res, 200, { activities });
    }),
  );

  server.get(
    "/api/local/messages",
    guarded(logger, "local-poll", async (req, res) => {
      const query = parseOrThrow(pollSchema, req.query ?? {});
      sendJson(res, 200, deps.adapter.pendingFor(query.userId, query.after));
    }),
  );
}
