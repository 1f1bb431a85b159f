import twilio from "twilio";

export const TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef";
export const TEST_PUBLIC_URL = "https://bot.example.dk";

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** An inbound Twilio SMS webhook, signed with the twilio library's own function. */
export function postSms(
  baseUrl: string,
  params: Record<string, string>,
  options: { sign?: boolean; path?: string; signature?: string } = {},
): Promise<Response> {
  const path = options.path ?? "/api/sms";
  const signature =
    options.signature ??
    (options.sign === false
      ? ""
      : twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, TEST_PUBLIC_URL + path, params));
  return fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params).toString(),
  });
}

let sidCounter = 0;
export function smsParams(from: string, body: string, sid?: string): Record<string, string> {
  sidCounter++;
  return {
    MessageSid: sid ?? `SM${String(sidCounter).padStart(32, "0")}`,
    AccountSid: `AC${"0".repeat(32)}`,
    From: from,
    To: "+4570000000",
    Body: body,
    NumMedia: "0",
  };
}

/** The message texts of a TwiML response, in order. */
export function twimlMessages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((match) =>
    match[1]!
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&"),
  );
}

/** A Bot Framework activity as Azure Bot Service would post it, asking for the replies in the response. */
export function botActivity(text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "message",
    id: `act-${Math.random().toString(36).slice(2)}`,
    channelId: "webchat",
    serviceUrl: "http://127.0.0.1:1/never-called",
    timestamp: new Date().toISOString(),
    from: { id: "webchat-user-1", name: "Test" },
    recipient: { id: "borgerbot", name: "borgerbot" },
    conversation: { id: "conv-1" },
    text,
    deliveryMode: "expectReplies",
    ...overrides,
  };
}
