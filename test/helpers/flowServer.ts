import { readDataFile } from "../../bot/store/store.js";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { postSms, smsParams, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, twimlMessages } from "./http.js";
import { organizerApi, TEST_ORGANIZER_TOKEN } from "./organizerApi.js";
import { startTestServer, type TestServerOptions } from "./testServer.js";

/** A server as deployed (Twilio signatures on, organizer API open), with helpers for conversations. */
export async function startFlowServer(options: TestServerOptions = {}) {
  const server = await startTestServer({
    ...options,
    env: {
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      PUBLIC_URL: TEST_PUBLIC_URL,
      ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN,
      ...options.env,
    },
  });
  return {
    server,
    api: organizerApi(server.baseUrl),
    /** The data file as it is on disk now. */
    db: async () => await readDataFile(server.dbFile),
    /** Sends a signed SMS and returns the texts of the TwiML reply. */
    sms: async (from: string, body: string, extra: Record<string, string> = {}) => {
      const res = await postSms(server.baseUrl, { ...smsParams(from, body), ...extra });
      expect(res.status).toBe(200);
      return twimlMessages(await res.text());
    },
  };
}

type FlowServer = Awaited<ReturnType<typeof startFlowServer>>;

/** Starts a flow server before the file's tests and cleans it up after them. */
export function useFlowServer(
  options: TestServerOptions = {},
  setup?: (flow: FlowServer) => Promise<unknown>,
) {
  return useServerFor({ start: beforeAll, end: afterAll }, options, setup);
}

/**
 * Starts a new flow server, on its own empty data file, before each test and cleans it up
 * after it: for tests that count across the whole assembly (invitations sent, reminders,
 * participants), which no other test's data may change. Each test seeds what it needs.
 */
export function useFreshFlowServer(options: TestServerOptions = {}) {
  return useServerFor({ start: beforeEach, end: afterEach }, options);
}

function useServerFor(
  hooks: { start: (hook: () => Promise<void>) => void; end: (hook: () => Promise<void>) => void },
  options: TestServerOptions,
  setup?: (flow: FlowServer) => Promise<unknown>,
) {
  let flow: FlowServer | undefined;
  const started = () => {
    if (!flow) throw new Error("flowServer: used before its hook started it");
    return flow;
  };
  hooks.start(async () => {
    flow = await startFlowServer(options);
    await setup?.(flow);
  });
  hooks.end(async () => {
    await flow?.server.cleanup();
    flow = undefined;
  });
  return {
    get server() {
      return started().server;
    },
    get api() {
      return started().api;
    },
    db: () => started().db(),
    sms: (from: string, body: string, extra?: Record<string, string>) => started().sms(from, body, extra),
  };
}
