import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import type { TwilioMessagesApi } from "../../bot/sms/twilioProvider.js";

type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0] & {
  data?: TData;
};

export const FAKE_ACCOUNT_SID = `AC${"1".repeat(32)}`;

/** How the fake answers one "create message" call: Twilio's own status and error body. */
export type FakeTwilioAnswer = { status: 201 } | { status: number; code: number; message: string };

export interface FakeTwilioRequest {
  to: string;
  body: string;
  from?: string;
  statusCallback?: string;
}

/**
 * Twilio's REST API for sending SMS, on loopback. The bot talks to it through the real twilio
 * client (only the host is rewritten), so Twilio's error bodies, 429 and 5xx reach the sender
 * exactly as the library turns them into errors.
 */
export async function startFakeTwilioApi() {
  const requests: FakeTwilioRequest[] = [];
  const answers: FakeTwilioAnswer[] = [];
  let count = 0;
  /** Runs after a message is accepted and before Twilio's answer is sent, e.g. an early status callback. */
  let beforeAnswer: ((sid: string) => Promise<void>) | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    if (req.method !== "POST" || req.url !== `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Messages.json`) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 20404, message: "The requested resource was not found", status: 404 }));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    requests.push({ to: form.To!, body: form.Body!, from: form.From, statusCallback: form.StatusCallback });
    const answer = answers.shift() ?? { status: 201 };
    if (answer.status !== 201) {
      const error = answer as { status: number; code: number; message: string };
      res.writeHead(error.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: error.code, message: error.message, status: error.status }));
      return;
    }
    count++;
    const sid = `SM${String(count).padStart(32, "0")}`;
    await beforeAnswer?.(sid);
    res.writeHead(201, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ sid, status: "queued", to: form.To, body: form.Body, account_sid: FAKE_ACCOUNT_SID }),
    );
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 599;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The real client; every request for api.twilio.com goes to this server instead. */
  class LoopbackClient extends twilio.RequestClient {
    override request<TData>(opts: RequestOptions<TData>) {
      const url = new URL(opts.uri);
      return super.request<TData>({ ...opts, uri: origin + url.pathname + url.search });
    }
  }
  const client = twilio(FAKE_ACCOUNT_SID, "fake-twilio-auth-token", { httpClient: new LoopbackClient() });
  const api: TwilioMessagesApi = { create: (params) => client.messages.create(params) };

  return {
    api,
    requests,
    /** Answers for the next calls, in order; after them every call is accepted. */
    answerNext: (...next: FakeTwilioAnswer[]) => void answers.push(...next),
    onAccepted: (hook: ((sid: string) => Promise<void>) | undefined) => void (beforeAnswer = hook),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTwilioApi = Awaited<ReturnType<typeof startFakeTwilioApi>>;

export const TWILIO_429: FakeTwilioAnswer = { status: 429, code: 20429, message: "Too Many Requests" };
export const TWILIO_500: FakeTwilioAnswer = { status: 500, code: 20500, message: "Internal Server Error" };
export const TWILIO_503: FakeTwilioAnswer = { status: 503, code: 20503, message: "Service Unavailable" };
