import fc from "fast-check";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataFile } from "../../bot/store/store.js";
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from "../helpers/http.js";
import { TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { rawRequest, sendRaw, type RawRequest, type RawResponse } from "../helpers/rawHttp.js";
import { realClassify, startTestServer, type TestServer } from "../helpers/testServer.js";

/*
 * 10,000 generated requests against every route a stranger can reach: Twilio's webhooks, the
 * Bot Framework endpoint, the organizer API and the local page. Random bodies, content types,
 * nesting, invalid UTF-8, huge headers, raw "../" paths, ids that cannot go in a header,
 * malformed URIs and invoke activities. Nothing may get a 5xx or go unanswered, memory must
 * stay flat, and the server must start again on the data file the run leaves.
 *
 * Bounded: CHUNKS x RUNS_PER_CHUNK runs of BATCH concurrent requests, from a fixed seed
 * (FUZZ_SEED overrides it). A failure names the seed and the shrunk counterexample.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const CHUNKS = 10;
const RUNS_PER_CHUNK = 50;
const BATCH = 20;

/** One request and what must come back; `status` is left out where only "no 5xx" is certain. */
interface FuzzCase {
  label: string;
  request: RawRequest | { bytes: Buffer };
  status?: number;
  /** The exact body of a 200 (the page's files). */
  body?: Buffer;
  /** Made at send time, so a failure report stays short: a body of this many bytes, or a header this long. */
  bodyFill?: number;
  headerFill?: number;
}

const MEMBERS = Array.from({ length: 12 }, (_, i) => `+4550${String(i).padStart(6, "0")}`);
const E164 = /^\+[1-9]\d{6,14}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** encodeURIComponent throws on a lone surrogate; a URL can only carry its replacement. */
const encodeUri = (value: string) =>
  encodeURIComponent(value.replace(new RegExp(LONE_SURROGATE, "g"), "\uFFFD"));

// ---------------------------------------------------------------- generators

const words = fc.constantFrom(
  "ja",
  "nej",
  "måske",
  "STOP",
  "START",
  "AFMELD",
  "slet mine oplysninger",
  "mine oplysninger",
  "hvem er tilmeldt",
  "indbakke",
  "svar 1 ja",
  "hvornår er næste møde",
  "jeg kan ikke d. 14.",
  "jeg er syg i dag",
  "hjælp",
  "",
  " ",
  "\u0000",
  "😀😀😀",
);
const text = fc.oneof(
  { weight: 3, arbitrary: words },
  fc.string({ maxLength: 160 }),
  fc.string({ unit: "grapheme", maxLength: 160 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);
const sid = fc.oneof(
  fc.stringMatching(/^SM[0-9a-f]{32}$/),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", "SM../../etc", "SM%00", "SM\u0000"),
);

/** Bytes that are never valid UTF-8: a stray continuation, a truncated sequence, an overlong "/", an encoded surrogate. */
const invalidUtf8 = fc.constantFrom(
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
);

function withInvalidUtf8(valid: string, bad: Buffer, at: number): Buffer {
  const bytes = Buffer.from(valid);
  const cut = Math.min(at, bytes.length);
  return Buffer.concat([bytes.subarray(0, cut), bad, bytes.subarray(cut)]);
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const formHeaders = (signature?: string): Array<[string, string]> => [
  ["Content-Type", "application/x-www-form-urlencoded"],
  ...(signature === undefined ? [] : ([["X-Twilio-Signature", signature]] as Array<[string, string]>)),
];
const sign = (path: string, params: Record<string, string>) =>
  twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, TEST_PUBLIC_URL + path, params);
/** What the server reads back from `form(params)`: lone surrogates become U+FFFD on the way. */
const survivesForm = (params: Record<string, string>) =>
  Object.values(params).every((value) => !LONE_SURROGATE.test(value) && !value.includes("\uFFFD"));

const smsParams = fc
  .record({
    MessageSid: sid,
    From: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...MEMBERS) }, fc.string({ maxLength: 20 })),
    To: fc.constant("+4570000000"),
    Body: text,
    AccountSid: fc.constant(`AC${"0".repeat(32)}`),
  })
  .chain((base) =>
    fc
      .option(fc.constantFrom("STOP", "START", "HELP", "stop", "x"), { nil: undefined })
      .map((optOut) => (optOut === undefined ? base : { ...base, OptOutType: optOut })),
  );

const signedSms = smsParams.map((params): FuzzCase => {
  const valid = survivesForm(params) && params.MessageSid !== "" && E164.test(params.From);
  return {
    label: "signed sms",
    request: {
      method: "POST",
      path: "/api/sms",
      headers: formHeaders(sign("/api/sms", params)),
      body: form(params),
    },
    // A signed, well-formed webhook always gets its TwiML; everything else is refused with a 4xx.
    status: valid ? 200 : survivesForm(params) ? 400 : undefined,
  };
});

const forgedSms = fc
  .tuple(
    smsParams,
    fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    fc.constantFrom("/api/sms", "/api/sms/status"),
  )
  .map(([params, signature, path]): FuzzCase => ({
    label: "unsigned or forged twilio webhook",
    request: { method: "POST", path, headers: formHeaders(signature), body: form(params) },
    status: survivesForm(params) ? 403 : undefined,
  }));

const statusCallback = fc
  .record({
    MessageSid: sid,
    MessageStatus: fc.oneof(
      fc.constantFrom("queued", "sending", "sent", "delivered", "undelivered", "failed", "accepted", "read"),
      fc.string({ maxLength: 12 }),
    ),
    AccountSid: fc.constant(`AC${"0".repeat(32)}`),
  })
  .chain((base) =>
    fc
      .option(fc.constantFrom("30003", "30006", "21610", "x"), { nil: undefined })
      .map((code) => (code === undefined ? base : { ...base, ErrorCode: code })),
  )
  .map((params): FuzzCase => {
    const path = "/api/sms/status";
    const complete = params.MessageSid !== "" && params.MessageStatus !== "";
    return {
      label: "signed status callback",
      request: { method: "POST", path, headers: formHeaders(sign(path, params)), body: form(params) },
      status: survivesForm(params) ? (complete ? 204 : 400) : undefined,
    };
  });

const headerUnsafeId = fc.oneof(
  fc.stringMatching(/^[a-z0-9:-]{1,30}$/),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
  fc.constantFrom("a b", "x\r\ny", "ø", "\u0000", "\uD800", "a".repeat(257), "../../x", "%zz", "a?b#c", ""),
);

let connectorUrl = "http://127.0.0.1:1/";
const serviceUrl = fc.oneof(
  fc.constant("connector"),
  fc.constantFrom(
    "http://127.0.0.1:1/%E0%A4%A",
    "http://%zz/",
    "http://127.0.0.1:1/%",
    "not a url",
    "http://user:pw@127.0.0.1/",
    "https://smba.trafficmanager.net/emea/",
    "ftp://127.0.0.1/",
    "http://[::1]:1/",
    "http://localhost:1/",
    "javascript:alert(1)",
    "",
  ),
  fc.webUrl(),
);

const activity = fc
  .record({
    type: fc.oneof(
      fc.constantFrom(
        "message",
        "message",
        "conversationUpdate",
        "invoke",
        "event",
        "typing",
        "messageReaction",
      ),
      fc.string({ maxLength: 12 }),
    ),
    name: fc.oneof(
      fc.constantFrom("task/fetch", "adaptiveCard/action", "composeExtension/query", "signin/verifyState"),
      fc.string({ maxLength: 20 }),
    ),
    channelId: fc.oneof(
      fc.constantFrom(
        "webchat",
        "msteams",
        "WebChat",
        "MSTEAMS",
        "emulator",
        "directline",
        "sms",
        "Local",
        "bad id!",
      ),
      fc.string({ maxLength: 12 }),
    ),
    serviceUrl,
    fromId: headerUnsafeId,
    aadObjectId: fc.option(fc.uuid(), { nil: undefined }),
    conversationId: headerUnsafeId,
    activityId: fc.option(headerUnsafeId, { nil: undefined }),
    text,
    value: fc.option(
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ action: "rsvp", answer: "yes" })),
      { nil: undefined },
    ),
    expectReplies: fc.boolean(),
  })
  .map((a): FuzzCase => {
    // Without expectReplies the bot posts its replies to serviceUrl. Only the loopback connector
    // below listens, so a loopback address would only measure the connector client's retries.
    const url =
      a.serviceUrl === "connector" || (!a.expectReplies && /127\.|localhost|\[::1\]/.test(a.serviceUrl))
        ? connectorUrl
        : a.serviceUrl;
    const body = {
      type: a.type,
      ...(a.type === "invoke" ? { name: a.name } : {}),
      ...(a.activityId === undefined ? {} : { id: a.activityId }),
      channelId: a.channelId,
      serviceUrl: url,
      from: { id: a.fromId, name: "Fuzz", ...(a.aadObjectId ? { aadObjectId: a.aadObjectId } : {}) },
      recipient: { id: "borgerbot" },
      conversation: { id: a.conversationId },
      text: a.text,
      ...(a.value === undefined ? {} : { value: a.value }),
      ...(a.type === "conversationUpdate" ? { membersAdded: [{ id: a.fromId }] } : {}),
      ...(a.expectReplies ? { deliveryMode: "expectReplies" } : {}),
    };
    return {
      label: "bot framework activity",
      request: {
        method: "POST",
        path: "/api/messages",
        headers: [["Content-Type", "application/json"]],
        body: JSON.stringify(body),
      },
    };
  });

const JSON_ROUTES = ["/api/messages", "/api/local/messages"];
const deepJson = fc
  .tuple(fc.integer({ min: 33, max: 40_000 }), fc.constantFrom('{"a":', "["), fc.constantFrom(...JSON_ROUTES))
  .map(([depth, open, path]): FuzzCase => {
    const close = open === "[" ? "]" : "}";
    return {
      label: "json nested too deep",
      request: {
        method: "POST",
        path,
        headers: [["Content-Type", "application/json"]],
        body: `{"type":"message","from":${open.repeat(depth)}1${close.repeat(depth)}}`,
      },
      status: 400,
    };
  });

const invalidUtf8Body = fc
  .tuple(
    fc.constantFrom(
      { path: "/api/messages", type: "application/json", text: '{"type":"message","text":"hej"}' },
      { path: "/api/local/messages", type: "application/json", text: '{"userId":"u1","text":"hej"}' },
      {
        path: "/api/sms",
        type: "application/x-www-form-urlencoded",
        text: "MessageSid=SM1&From=%2B4550000000&Body=hej",
      },
      {
        path: "/api/sms/status",
        type: "application/x-www-form-urlencoded",
        text: "MessageSid=SM1&MessageStatus=sent",
      },
    ),
    invalidUtf8,
    fc.nat({ max: 60 }),
  )
  .map(([target, bad, at]): FuzzCase => ({
    label: "invalid utf-8 body",
    request: {
      method: "POST",
      path: target.path,
      headers: [["Content-Type", target.type]],
      body: withInvalidUtf8(target.text, bad, at),
    },
    status: 400,
  }));

const tooLarge = fc
  .tuple(
    fc.integer({ min: 256 * 1024 + 1, max: 300 * 1024 }),
    fc.constantFrom(
      { path: "/api/messages", type: "application/json" },
      { path: "/api/local/messages", type: "application/json" },
      { path: "/api/sms", type: "application/x-www-form-urlencoded" },
    ),
  )
  .map(([size, target]): FuzzCase => ({
    label: "body over 256 KB",
    request: {
      method: "POST",
      path: target.path,
      headers: [["Content-Type", target.type]],
    },
    bodyFill: size,
    status: 413,
  }));

const ROUTES = [
  "/api/sms",
  "/api/sms/status",
  "/api/messages",
  "/api/local/messages",
  "/api/organizer/participants",
  "/api/organizer/invitations",
  "/api/organizer/inbox/x/reply",
  "/healthz",
];
const randomBody = fc
  .record({
    method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
    path: fc.constantFrom(...ROUTES),
    contentType: fc.option(
      fc.constantFrom(
        "application/json",
        "application/x-www-form-urlencoded",
        "text/csv",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin1",
        "APPLICATION/JSON",
        "application/x-www-form-urlencoded;;;",
        "",
        "ø/ø",
      ),
      { nil: undefined },
    ),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
      fc.json({ maxDepth: 6 }).map((json) => Buffer.from(json)),
      fc.string({ unit: "binary", maxLength: 300 }).map((s) => Buffer.from(s)),
      fc
        .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }))
        .map((d) => Buffer.from(form(d))),
    ),
  })
  .map((r): FuzzCase => ({
    label: "random body",
    request: {
      method: r.method,
      path: r.path,
      headers: r.contentType === undefined ? [] : [["Content-Type", r.contentType]],
      body: r.body,
    },
  }));

/** Routes of the organizer API that exist, with the method they answer. */
const ORGANIZER_ROUTES: Array<[string, string]> = [
  ["GET", "/api/organizer/participants"],
  ["POST", "/api/organizer/participants"],
  ["GET", "/api/organizer/attendance"],
  ["GET", "/api/organizer/outbox"],
  ["GET", "/api/organizer/inbox"],
  ["POST", "/api/organizer/invitations"],
  ["POST", "/api/organizer/sessions/m5/reminders"],
  ["DELETE", "/api/organizer/participants/no-such-id"],
  ["POST", "/api/organizer/inbox/no-such-item/reply"],
];
const wrongAuth = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    "Bearer wrong",
    `Bearer ${TEST_ORGANIZER_TOKEN}x`,
    `Bearer ${TEST_ORGANIZER_TOKEN.slice(0, -1)}`,
    `Basic ${Buffer.from(`organizer:${TEST_ORGANIZER_TOKEN}`).toString("base64")}`,
    TEST_ORGANIZER_TOKEN,
    "Bearer",
    "Bearer ",
  ),
  fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
);
const query = fc.oneof(
  fc.constantFrom(
    "",
    "?format=csv",
    "?status=open",
    "?status=x",
    "?limit=0",
    "?limit=2",
    "?phone=%zz",
    "?phone=20304050",
  ),
  fc.string({ maxLength: 20 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
);
const organizerBody = fc.oneof(
  fc.constant('{"text":"Tak for spørgsmålet."}'),
  fc.json({ maxDepth: 3 }),
  fc
    .array(
      fc.tuple(
        fc.string({ maxLength: 20 }),
        fc.oneof(fc.constantFrom(...MEMBERS), fc.string({ maxLength: 15 })),
      ),
      { maxLength: 5 },
    )
    .map(
      (rows) =>
        `name,phone\n${rows.map(([name, phone]) => `${name.replace(/[\r\n]/g, " ")},${phone}`).join("\n")}\n`,
    ),
);

const organizerWithoutToken = fc
  .tuple(fc.constantFrom(...ORGANIZER_ROUTES), wrongAuth, query, organizerBody)
  .map(([[method, path], auth, q, body]): FuzzCase => ({
    label: "organizer api without the token",
    request: {
      method,
      path: path + q,
      headers: [
        ["Content-Type", path.endsWith("/participants") ? "text/csv" : "application/json"],
        ...(auth === undefined ? [] : ([["Authorization", auth]] as Array<[string, string]>)),
      ],
      body,
    },
    status: 401,
  }));

const organizerWithToken = fc
  .tuple(
    fc.constantFrom(...ORGANIZER_ROUTES),
    query,
    organizerBody,
    fc.constantFrom("text/csv", "application/json", "text/plain"),
  )
  .map(([[method, path], q, body, type]): FuzzCase => ({
    label: "organizer api with the token",
    request: {
      method,
      path: path + q,
      headers: [
        ["Content-Type", type],
        ["Authorization", `Bearer ${TEST_ORGANIZER_TOKEN}`],
      ],
      body,
    },
  }));

const TRAVERSAL_PARTS = [
  "..",
  ".",
  "%2e%2e",
  "%2E%2E",
  "..%2f",
  "..%5c",
  "%2f",
  "%5c",
  "%00",
  "%zz",
  "%E0%A4%A",
  "web",
  "vendor",
  "chat.js",
  "package.json",
  "data",
  "db.json",
  "db.json.key",
  ".env",
  "etc",
  "passwd",
  "organizer",
  "api",
];
const organizerPaths = fc
  .array(fc.oneof(fc.constantFrom(...TRAVERSAL_PARTS), fc.string({ maxLength: 8 }).map(encodeURIComponent)), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => `/api/organizer/${parts.join("/")}`);
const organizerTraversal = fc
  .tuple(fc.constantFrom("GET", "POST", "DELETE"), organizerPaths, wrongAuth)
  .map(([method, path, auth]): FuzzCase => ({
    label: "organizer path traversal without the token",
    request: { method, path, headers: auth === undefined ? [] : [["Authorization", auth]] },
  }));

const WEB_DIR = new URL("../../bot/web/", import.meta.url);
const STATIC_FILES = new Map<string, Buffer>([
  ["/", readFileSync(new URL("index.html", WEB_DIR))],
  ["/web/chat.js", readFileSync(new URL("chat.js", WEB_DIR))],
  ["/web/chat.css", readFileSync(new URL("chat.css", WEB_DIR))],
  [
    "/vendor/adaptivecards.js",
    readFileSync(createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.min.js")),
  ],
]);
const pagePath = fc.oneof(
  fc.constantFrom(...STATIC_FILES.keys()),
  fc.constantFrom(
    "/web/../package.json",
    "/web/%2e%2e/%2e%2e/package.json",
    "/web/chat.js/../../../../etc/passwd",
    "/..%2f..%2fpackage.json",
    "/web/./chat.js",
    "//web/chat.js",
    "/web/chat.js%00",
    "/web/chat.js?x=%zz",
    "/%E0%A4%A",
    "/web/..%5c..%5cpackage.json",
    "/vendor/../../node_modules/adaptivecards/package.json",
    "/index.html",
    "/web/",
  ),
  fc
    .array(
      fc.oneof(fc.constantFrom(...TRAVERSAL_PARTS), fc.string({ maxLength: 8 }).map(encodeURIComponent)),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => `/${parts.join("/")}`),
);
const localPage = fc
  .tuple(fc.constantFrom("GET", "GET", "GET", "POST", "HEAD"), pagePath)
  .map(([method, path]): FuzzCase => {
    const file = method === "GET" ? STATIC_FILES.get(path.split("?")[0]!) : undefined;
    return {
      label: "local page",
      request: { method, path },
      ...(file ? { status: 200, body: file } : {}),
    };
  });

const localChat = fc
  .record({
    userId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), headerUnsafeId),
    text,
    type: fc.constantFrom("message", "conversationUpdate", "invoke", undefined),
    after: fc.oneof(fc.nat().map(String), fc.string({ maxLength: 5 })),
    poll: fc.boolean(),
  })
  .map((c): FuzzCase => ({
    label: "local chat endpoint",
    request: c.poll
      ? {
          method: "GET",
          path: `/api/local/messages?userId=${encodeUri(c.userId)}&after=${encodeURIComponent(c.after)}`,
        }
      : {
          method: "POST",
          path: "/api/local/messages",
          headers: [["Content-Type", "application/json"]],
          body: JSON.stringify({ userId: c.userId, text: c.text, ...(c.type ? { type: c.type } : {}) }),
        },
  }));

const hugeHeader = fc
  .tuple(
    fc.integer({ min: 17 * 1024, max: 80 * 1024 }),
    fc.constantFrom("/healthz", "/api/sms", "/api/messages", "/"),
  )
  .map(([size, path]): FuzzCase => ({
    label: "header larger than Node accepts",
    request: { method: "GET", path },
    headerFill: size,
    status: 431,
  }));

const oddHeaders = fc
  .tuple(
    fc.constantFrom("/healthz", "/api/sms", "/api/messages", "/api/organizer/outbox"),
    fc.array(
      fc.tuple(
        fc.constantFrom(
          "Content-Type",
          "Authorization",
          "X-Twilio-Signature",
          "X-Ms-Conversation-Id",
          "Cookie",
          "X-Fuzz",
        ),
        fc.oneof(
          fc.string({ maxLength: 40 }).map((s) => Buffer.from(s.replace(/[\r\n]/g, ""))),
          invalidUtf8,
          fc.constant(Buffer.from([0x7f, 0x01, 0x09])),
        ),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([path, headers]): FuzzCase => ({
    label: "headers with odd bytes",
    request: { method: "POST", path, headers, body: "{}" },
  }));

const brokenFraming = fc
  .oneof(
    // A request line that is not one (never empty: a bare CRLF is skipped and the server would wait).
    fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
      bytes: Buffer.concat([
        Buffer.from("X"),
        Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a)),
        Buffer.from("\r\n\r\n"),
      ]),
      status: 400,
    })),
    // Invalid bytes in the path itself.
    fc.tuple(invalidUtf8, fc.constantFrom("/api/sms", "/healthz", "/")).map(([bad, path]) => ({
      bytes: Buffer.concat([
        Buffer.from(`GET ${path}`),
        bad,
        Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      ]),
      status: undefined,
    })),
    // A chunk size that is not hex.
    fc.constantFrom("/api/messages", "/api/sms").map((path) => ({
      bytes: Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      ),
      status: 400,
    })),
    // Both Content-Length and Transfer-Encoding, the request-smuggling pair.
    fc.constant({
      bytes: Buffer.from(
        "POST /api/sms HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ),
      status: 400,
    }),
  )
  .map((raw): FuzzCase => ({ label: "broken framing", request: { bytes: raw.bytes }, status: raw.status }));

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 6, arbitrary: signedSms },
  { weight: 2, arbitrary: forgedSms },
  { weight: 3, arbitrary: statusCallback },
  { weight: 6, arbitrary: activity },
  { weight: 1, arbitrary: deepJson },
  { weight: 2, arbitrary: invalidUtf8Body },
  { weight: 1, arbitrary: tooLarge },
  { weight: 4, arbitrary: randomBody },
  { weight: 3, arbitrary: organizerWithoutToken },
  { weight: 2, arbitrary: organizerWithToken },
  { weight: 2, arbitrary: organizerTraversal },
  { weight: 3, arbitrary: localPage },
  { weight: 2, arbitrary: localChat },
  { weight: 1, arbitrary: hugeHeader },
  { weight: 1, arbitrary: oddHeaders },
  { weight: 1, arbitrary: brokenFraming },
);

// ---------------------------------------------------------------- the run

/** heapUsed after full collections. --expose-gc can be set at run time; `gc` is then reachable from a new context. */
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MB = 1024 * 1024;
/**
 * Memory may grow by the store's own growth, and a fixed allowance for caches that fill once
 * (botbuilder's, the classifier's, V8's code). The store keeps every record in memory as
 * frozen objects, which take a few times the size of their JSON (each string, object header
 * and the immer-frozen arrays), so its growth counts STORE_FACTOR times its JSON size. A leak of
 * a few KB per request, the size of a request or its reply, breaks this over 9,000 requests.
 */
const FIXED_ALLOWANCE = 24 * MB;
const STORE_FACTOR = 6;

let server: TestServer;
let connector: Server;
let sent = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  // A Bot Connector on loopback that takes every reply, so turns without expectReplies finish.
  connector = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"id":"fuzz-reply"}');
    });
  });
  await new Promise<void>((resolve) => connector.listen(0, "127.0.0.1", resolve));
  connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
  server = await startTestServer({
    classify: await realClassify(),
    env: {
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      PUBLIC_URL: TEST_PUBLIC_URL,
      ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN,
    },
  });
});

afterAll(async () => {
  await server?.cleanup();
  await new Promise<void>((resolve) => connector?.close(() => resolve()));
});

async function send(testCase: FuzzCase): Promise<RawResponse> {
  sent++;
  const { request, bodyFill, headerFill } = testCase;
  if ("bytes" in request) return await sendRaw(server.baseUrl, request.bytes);
  const fill: Array<[string, string]> = headerFill ? [["X-Fuzz", "a".repeat(headerFill)]] : [];
  return await rawRequest(server.baseUrl, {
    ...request,
    headers: [...(request.headers ?? []), ...fill],
    ...(bodyFill ? { body: Buffer.alloc(bodyFill, 0x61) } : {}),
  });
}

function check(testCase: FuzzCase, res: RawResponse): void {
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const where = `${testCase.label}: got ${res.status} ${res.body.toString("utf8").slice(0, 200)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(res.status, where).toBeLessThan(500);
  if (testCase.status !== undefined) expect(res.status, where).toBe(testCase.status);
  if (testCase.body)
    expect(res.body.equals(testCase.body), `${testCase.label}: body differs from the file`).toBe(true);
  // Nothing but the page's own files is ever served as a file.
  if (testCase.label === "local page" && !testCase.body) expect(res.status, where).not.toBe(200);
  // A turn that failed is answered 200 with an apology; that is a fault all the same.
  expect(res.body.toString("utf8"), where).not.toContain(APOLOGY);
  const text = res.body.toString("latin1");
  expect(text, where).not.toContain(TEST_ORGANIZER_TOKEN);
  expect(text, where).not.toContain('"devDependencies"');
  expect(text, where).not.toContain("root:x:0:0");
}

const APOLOGY = "Beklager, noget gik galt";
const storeBytes = () => JSON.stringify(server.app.store.data).length;

describe("invokes botbuilder parses itself", () => {
  it.each([
    ["adaptiveCard/action", {}],
    ["adaptiveCard/action", "x"],
    ["application/search", "x"],
    ["application/search", { kind: "search" }],
  ])("answers %s with value %j with 200, as an invoke the bot does not handle", async (name, value) => {
    const res = await rawRequest(server.baseUrl, {
      method: "POST",
      path: "/api/messages",
      headers: [["Content-Type", "application/json"]],
      body: JSON.stringify({
        type: "invoke",
        name,
        value,
        channelId: "msteams",
        serviceUrl: connectorUrl,
        from: { id: "29:invoker" },
        conversation: { id: "a:invoker" },
      }),
    });
    expect(res.status).toBe(200);
  });
});

describe("10,000 generated requests", () => {
  it("get no 5xx, leave memory flat and /healthz healthy, and the server starts again on the data file", async () => {
    const started = Date.now();
    let firstFailure: string | undefined;
    const memory: Array<{ requests: number; heapMb: number; storeMb: number }> = [];
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      const seed = SEED + chunk;
      await fc
        .assert(
          fc.asyncProperty(fc.array(fuzzCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
            const answers = await Promise.all(cases.map(send));
            try {
              cases.forEach((testCase, i) => check(testCase, answers[i]!));
            } catch (error) {
              firstFailure ??= error instanceof Error ? error.message : String(error);
              throw error;
            }
          }),
          { numRuns: RUNS_PER_CHUNK, seed, endOnFailure: false, verbose: 1 },
        )
        .catch((error: unknown) => {
          // The report starts with the seed and the shrunk batch; long strings in it are cut.
          const report = String(error).replace(/([^"\n]{300})[^"\n]{200,}/g, "$1…");
          throw new Error(
            `fuzz chunk ${chunk} failed with seed ${seed} (FUZZ_SEED=${SEED}): ${firstFailure ?? ""}\n${report.slice(0, 6000)}`,
          );
        });
      // The first chunk warms the caches; memory is measured from its end on.
      memory.push({ requests: sent, heapMb: heapAfterGc() / MB, storeMb: storeBytes() / MB });
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz: ${sent} requests in ${seconds.toFixed(1)} s, seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    console.log(
      `fuzz: heap / store JSON (MB) at ${memory.map((m) => `${m.requests}: ${m.heapMb.toFixed(1)} / ${m.storeMb.toFixed(2)}`).join(", ")}`,
    );
    expect(sent).toBeGreaterThanOrEqual(CHUNKS * RUNS_PER_CHUNK * BATCH);

    const base = memory[0]!;
    for (const point of memory.slice(1)) {
      const allowed = FIXED_ALLOWANCE / MB + STORE_FACTOR * (point.storeMb - base.storeMb);
      expect(point.heapMb - base.heapMb, `heap growth by ${point.requests} requests`).toBeLessThanOrEqual(
        allowed,
      );
    }

    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    // What the run left on disk is what the next start reads, and it starts.
    await server.close();
    const onDisk = await readDataFile(server.dbFile);
    // Every SMS that was taken in was also finished: none is left for the next start to run again.
    expect(onDisk.inbound.filter((entry) => entry.status === "received")).toEqual([]);
    const restarted = await startTestServer({
      dataDir: server.dataDir,
      classify: await realClassify(),
      env: {
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        PUBLIC_URL: TEST_PUBLIC_URL,
        ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN,
      },
    });
    try {
      const again = await fetch(`${restarted.baseUrl}/healthz`);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status: "ok" });
      expect(restarted.app.store.data.participants.toArray()).toEqual(onDisk.participants.toArray());
      expect(restarted.app.store.data.outbox.toArray()).toEqual(onDisk.outbox.toArray());
    } finally {
      await restarted.close();
    }
  }, 120_000);
});
