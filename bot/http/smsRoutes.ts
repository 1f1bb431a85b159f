import twilio from "twilio";
import type { Request, Response, Server } from "restify";
import type { TurnContext } from "botbuilder";
import type { SmsAdapter } from "../channels/smsAdapter.js";
import type { Logger } from "../logger.js";
import type { SmsSender } from "../sms/smsSender.js";
import type { Store } from "../store/store.js";
import { HttpError, readFormBody } from "./body.js";
import { guarded } from "./respond.js";

export interface SmsRouteDeps {
  server: Server;
  adapter: SmsAdapter;
  sender: SmsSender;
  store: Store;
  logger: Logger;
  clock: () => Date;
  runTurn: (context: TurnContext) => Promise<void>;
  /** Set when TWILIO_AUTH_TOKEN is set: every webhook must carry a valid X-Twilio-Signature. */
  signature?: { authToken: string; publicUrl: string };
}

/** How long a MessageSid is remembered; Twilio retries within minutes, not days. */
const SEEN_RETENTION_MS = 7 * 24 * 3600 * 1000;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

export function registerSmsRoutes(deps: SmsRouteDeps): void {
  const { server, logger } = deps;
  const inFlight = new Set<string>();

  async function verifiedForm(req: Request): Promise<Record<string, string>> {
    const form = await readFormBody(req);
    if (deps.signature) {
      const signature = req.header("x-twilio-signature") ?? "";
      const url = deps.signature.publicUrl + (req.url ?? "");
      if (!twilio.validateRequest(deps.signature.authToken, signature, url, form)) {
        throw new HttpError(403, "invalid X-Twilio-Signature");
      }
    }
    return form;
  }

  function sendTwiml(res: Response, twiml: string): void {
    res.status(200);
    res.setHeader("content-type", "text/xml; charset=utf-8");
    res.end(twiml);
  }

  server.post(
    "/api/sms",
    guarded(logger, "sms", async (req, res) => {
      const form = await verifiedForm(req);
      const { MessageSid: sid, From: from, To: to = "", Body: body = "" } = form;
      if (!sid) throw new HttpError(400, "MessageSid is missing");
      if (!from || !E164.test(from)) throw new HttpError(400, "From must be an E.164 phone number");
      if (inFlight.has(sid) || deps.store.data.smsSeen.some((seen) => seen.sid === sid)) {
        logger.info({ sid }, "duplicate sms webhook ignored");
        sendTwiml(res, EMPTY_TWIML);
        return;
      }
      inFlight.add(sid);
      try {
        await deps.store
          .update((data) => {
            const now = deps.clock();
            data.smsSeen = data.smsSeen.filter(
              (seen) => now.getTime() - Date.parse(seen.at) < SEEN_RETENTION_MS,
            );
            data.smsSeen.push({ sid, at: now.toISOString() });
          })
          .catch((error: unknown) => {
            // Not on disk: forget it, so Twilio's retry of this message is not taken for a duplicate.
            deps.store.data.smsSeen = deps.store.data.smsSeen.filter((seen) => seen.sid !== sid);
            throw error;
          });
        sendTwiml(res, await deps.adapter.processSms({ messageSid: sid, from, to, body }, deps.runTurn));
      } finally {
        inFlight.delete(sid);
      }
    }),
  );

  server.post(
    "/api/sms/status",
    guarded(logger, "sms-status", async (req, res) => {
      const form = await verifiedForm(req);
      const providerId = form.MessageSid ?? form.SmsSid;
      const status = form.MessageStatus ?? form.SmsStatus;
      if (!providerId || !status) throw new HttpError(400, "MessageSid and MessageStatus are required");
      const known = await deps.sender.recordDeliveryStatus({ providerId, status, errorCode: form.ErrorCode });
      if (!known) logger.info({ providerId, status }, "status callback for an unknown message");
      res.status(204);
      res.end();
    }),
  );
}
