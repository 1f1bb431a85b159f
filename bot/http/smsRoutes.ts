import twilio from "twilio";
import type { Request, Response, Server } from "restify";
import type { InboundSmsTurns } from "../channels/inboundSms.js";
import { toGsmLookalikes } from "../sms/gsm.js";
import type { Logger } from "../logger.js";
import type { Outbound } from "../outbound/outbound.js";
import { HttpError, readFormBody } from "./body.js";
import { guarded } from "./respond.js";

export interface SmsRouteDeps {
  server: Server;
  inbound: InboundSmsTurns;
  outbound: Pick<Outbound, "recordDeliveryStatus">;
  logger: Logger;
  /** Said in TwiML when the message could not be taken in (the disk is full, say). */
  apology: string;
  /** Set when TWILIO_AUTH_TOKEN is set: every webhook must carry a valid X-Twilio-Signature. */
  signature?: { authToken: string; publicUrl: string };
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function registerSmsRoutes(deps: SmsRouteDeps): void {
  const { server, logger } = deps;

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

  function sendTwiml(res: Response, status: number, texts: string[]): void {
    const response = new twilio.twiml.MessagingResponse();
    for (const text of texts) response.message(toGsmLookalikes(text));
    res.status(status);
    res.setHeader("content-type", "text/xml; charset=utf-8");
    res.end(response.toString());
  }

  server.post(
    "/api/sms",
    guarded(logger, "sms", async (req, res) => {
      const form = await verifiedForm(req);
      const { MessageSid: sid, From: from, To: to = "", Body: body = "", OptOutType: optOutType } = form;
      if (!sid) throw new HttpError(400, "MessageSid is missing");
      if (!from || !E164.test(from)) throw new HttpError(400, "From must be an E.164 phone number");
      let replies: string[];
      try {
        replies = await deps.inbound.receive({ messageSid: sid, from, to, body, optOutType });
      } catch (error) {
        // Twilio tells the member nothing about a JSON 500; a short apology in TwiML it does.
        // What was journaled before the failure runs again at the next start.
        logger.error({ err: error, sid }, "sms turn failed");
        sendTwiml(res, 200, [deps.apology]);
        return;
      }
      sendTwiml(res, 200, replies);
    }),
  );

  server.post(
    "/api/sms/status",
    guarded(logger, "sms-status", async (req, res) => {
      const form = await verifiedForm(req);
      const providerId = form.MessageSid ?? form.SmsSid;
      const status = form.MessageStatus ?? form.SmsStatus;
      if (!providerId || !status) throw new HttpError(400, "MessageSid and MessageStatus are required");
      const known = await deps.outbound.recordDeliveryStatus({
        providerId,
        status,
        errorCode: form.ErrorCode,
      });
      if (!known) logger.info({ providerId, status }, "status callback for an unknown message");
      res.status(204);
      res.end();
    }),
  );
}
