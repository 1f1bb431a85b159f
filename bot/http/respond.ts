import type { Request, Response } from "restify";
import type { Logger } from "../logger.js";
import { StoreWriteFailed } from "../store/store.js";
import { WriteAheadLogBroken } from "../store/writeAheadLog.js";
import { HttpError } from "./body.js";

export type Handler = (req: Request, res: Response) => Promise<void>;

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/**
 * Every route goes through this: bad input becomes its 4xx with a readable message, a store that
 * cannot write becomes a 503 that says so, and an unexpected fault is logged and answered with a
 * plain 500 instead of taking the process down.
 */
export function guarded(logger: Logger, route: string, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (res.headersSent) {
        logger.error({ route, err: error }, "request failed after the response started");
        return;
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message });
        return;
      }
      // A full or read-only disk: nothing was saved, and the caller may try again later.
      if (error instanceof StoreWriteFailed || error instanceof WriteAheadLogBroken) {
        logger.error({ route, err: error }, "request refused: the store cannot write");
        sendJson(res, 503, { error: error.message });
        return;
      }
      logger.error({ route, err: error }, "request failed");
      sendJson(res, 500, { error: "internal error" });
    }
  };
}
