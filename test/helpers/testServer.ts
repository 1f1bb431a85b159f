import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config.js";
import { createLogger } from "../../bot/logger.js";
import type { Classify } from "../../dialogs/services.js";
import type { SmsRetryOptions } from "../../bot/sms/smsTransport.js";
import type { TwilioMessagesApi } from "../../bot/sms/twilioProvider.js";

export interface TestServerOptions {
  /** Extra environment, e.g. TWILIO_AUTH_TOKEN and PUBLIC_URL to turn signature checks on. */
  env?: Record<string, string>;
  classify?: Classify;
  twilioApi?: TwilioMessagesApi;
  /** How sends to Twilio are retried; by default at once, so no test sleeps through a backoff. */
  smsRetry?: Partial<SmsRetryOptions>;
  /** Start from this instant; `setNow` moves the clock. */
  now?: Date;
  /** Reuse a data directory, e.g. to restart on the same file. */
  dataDir?: string;
}

export interface TestServer {
  baseUrl: string;
  app: App;
  dataDir: string;
  dbFile: string;
  setNow(now: Date): void;
  /** Stops the server; the data directory stays for a restart until `cleanup`. */
  close(): Promise<void>;
  cleanup(): Promise<void>;
}

let sharedClassify: Promise<Classify> | undefined;

/** The real classifier, trained once per test file. */
export function realClassify(): Promise<Classify> {
  sharedClassify ??= import("../../bot/nlu/intents.js")
    .then(({ createIntentClassifier }) => createIntentClassifier())
    .then((classifier) => (text: string) => classifier.classify(text));
  return sharedClassify;
}

/** Starts the real server on a random port with its own data file, in local mode unless env says otherwise. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "borgerbot-test-")));
  const dbFile = join(dataDir, "db.json");
  let now = options.now ?? new Date();
  const config = loadConfig({
    PORT: "3978",
    DB_FILE: dbFile,
    ASSEMBLY_FILE: "data/assembly.json",
    LOG_LEVEL: "silent",
    // The rate limit is tested on its own (test/sms); here it would only make tests wait.
    SMS_RATE_PER_SECOND: "1000",
    ...options.env,
  });
  const app = await createApp({
    config,
    logger: createLogger({ level: "silent" }),
    clock: () => now,
    classify: options.classify ?? (await realClassify()),
    twilioApi: options.twilioApi,
    smsRetry: options.smsRetry ?? { minTimeout: 0 },
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    dataDir,
    dbFile,
    setNow: (next) => void (now = next),
    close: () => app.close(),
    async cleanup() {
      await app.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
