import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from "./http.js";
import { TEST_ORGANIZER_TOKEN } from "./organizerApi.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HOLD_START = pathToFileURL(fileURLToPath(new URL("./holdStart.ts", import.meta.url))).href;

/** Every process spawned here, so a test's afterEach can kill what a failure left running. */
const running = new Set<ServerProcess>();

export interface ServerProcessOptions {
  dbFile: string;
  port: number;
  /** Load the modules now and start bot/index.ts only on `release()` (see holdStart.ts). */
  hold?: boolean;
  env?: Record<string, string>;
}

/**
 * The real server (`bot/index.ts`, as `npm start` runs it) in a child process: Twilio
 * signatures checked, the organizer API open, SMS in dry-run (no Twilio account).
 */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Resolves when the process has ended, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = "";
  private lineWaiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  private constructor(readonly options: ServerProcessOptions) {
    this.baseUrl = `http://127.0.0.1:${options.port}`;
    const args = ["--disable-warning=DEP0111", "--import", "tsx"];
    if (options.hold) args.push("--import", HOLD_START);
    args.push("bot/index.ts");
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        HOST: "127.0.0.1",
        PORT: String(options.port),
        DB_FILE: options.dbFile,
        ASSEMBLY_FILE: "data/assembly.json",
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        PUBLIC_URL: TEST_PUBLIC_URL,
        ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN,
        LOG_LEVEL: "info",
        ...options.env,
      },
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
      }),
    );
    let partial = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.out += text;
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        for (const waiter of [...this.lineWaiters]) {
          if (!waiter.test(line)) continue;
          this.lineWaiters.splice(this.lineWaiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    running.add(this);
  }

  static spawn(options: ServerProcessOptions): ServerProcess {
    return new ServerProcess(options);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.out;
  }

  /** Resolves with the first line (from now or already written) that passes `test`, or rejects after `timeoutMs`. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.out.split("\n").find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      this.lineWaiters.push(waiter);
      const timer = setTimeout(() => {
        this.lineWaiters.splice(this.lineWaiters.indexOf(waiter), 1);
        reject(
          new Error(`no such line within ${timeoutMs} ms; the process wrote:\n${this.out.slice(-3000)}`),
        );
      }, timeoutMs);
      void this.exited.then(() => clearTimeout(timer));
      waiter.resolve = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  /** For a held process: lets bot/index.ts run. */
  async release(): Promise<void> {
    if (!this.options.hold) return;
    await this.waitForLine((line) => line.includes("test: holding the start"), 60_000);
    this.child.kill("SIGUSR2");
  }

  /**
   * Polls /healthz until it answers 200. Rejects at once, with the process's output, if the
   * process ends first, and after `timeoutMs` otherwise.
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => (ended = true));
    while (Date.now() < deadline) {
      if (ended) throw new Error(`the server exited before it was ready:\n${this.out.slice(-3000)}`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
        await res.body?.cancel();
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the server was not ready within ${timeoutMs} ms:\n${this.out.slice(-3000)}`);
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** Kills every server process still running; for afterEach and afterAll, also after a failure. */
export async function killAllServerProcesses(): Promise<void> {
  await Promise.all([...running].map((server) => server.kill9()));
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
