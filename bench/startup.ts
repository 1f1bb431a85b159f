import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/serverProcess.js";

/*
 * npm run bench:startup [-- MODE …]: how long the server takes from spawn to its first 200 from
 * /healthz with 10,000 members in the store, and its resident memory then (issue 11's goals:
 * 3 s and 300 MB). The members are imported through the organizer API, as an organizer would.
 * Modes, alternated round by round because this machine is shared and noisy:
 *  - compiled:  node dist/bot/index.js, what `npm start` runs after its prestart build;
 *  - npm-start: `npm start` itself, npm and the (up-to-date) build check included;
 *  - tsx:       bot/index.ts through the tsx CLI, how `npm start` ran before the build step.
 */

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const MEMBERS = 10_000;
/** Under the 256 KB request limit. */
const IMPORT_BATCH = 2_000;
const ROUNDS = 5;
const ORGANIZER_TOKEN = "bench-organizer-token-0123456789abcdef";
const READY_TIMEOUT_MS = 60_000;

const MODES = {
  compiled: { command: process.execPath, args: ["--disable-warning=DEP0111", "dist/bot/index.js"] },
  "npm-start": { command: "npm", args: ["start", "--silent"] },
  tsx: {
    command: process.execPath,
    args: [createRequire(import.meta.url).resolve("tsx/cli"), "--disable-warning=DEP0111", "bot/index.ts"],
  },
} as const;
type Mode = keyof typeof MODES;

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  port: number;
  output: () => string;
}

/** Its own process group, so stopping npm or tsx also stops the server they started. */
function start(mode: Mode, dbFile: string, port: number): Started {
  const { command, args } = MODES[mode];
  const child = spawn(command, [...args], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      HOST: "127.0.0.1",
      PORT: String(port),
      DB_FILE: dbFile,
      ORGANIZER_TOKEN,
      LOG_LEVEL: "warn",
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, exited, port, output: () => output };
}

async function stop(server: Started): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null)
    process.kill(-server.child.pid!, "SIGTERM");
  await server.exited;
}

/** Milliseconds until /healthz answers 200, polled every 10 ms. */
async function untilHealthy(server: Started, startedAt: number): Promise<number> {
  let ended = false;
  void server.exited.then(() => (ended = true));
  while (performance.now() - startedAt < READY_TIMEOUT_MS) {
    if (ended) throw new Error(`the server exited before it was ready:\n${server.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`, {
        signal: AbortSignal.timeout(1_000),
      });
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS} ms:\n${server.output()}`);
}

/** The resident memory of a process and its descendants (npm and tsx run the server as a child), in MB. */
function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (id: number) => {
    const status = readFileSync(`/proc/${id}/status`, "utf8");
    kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    for (const task of readdirSync(`/proc/${id}/task`)) {
      const children = readFileSync(`/proc/${id}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) visit(Number(child));
    }
  };
  visit(pid);
  return kb / 1024;
}

function csvOfMembers(from: number, to: number): string {
  const rows = ["name,phone"];
  for (let i = from; i < to; i++) rows.push(`Deltager ${i},+45${20_000_000 + i}`);
  return rows.join("\n");
}

async function seedStore(mode: Mode, dbFile: string): Promise<void> {
  const server = start(mode, dbFile, await freePort());
  try {
    await untilHealthy(server, performance.now());
    for (let from = 0; from < MEMBERS; from += IMPORT_BATCH) {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/organizer/participants`, {
        method: "POST",
        headers: { authorization: `Bearer ${ORGANIZER_TOKEN}`, "content-type": "text/csv" },
        body: csvOfMembers(from, Math.min(from + IMPORT_BATCH, MEMBERS)),
      });
      if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    }
  } finally {
    await stop(server);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

async function main(): Promise<void> {
  const modes = process.argv.slice(2) as Mode[];
  if (modes.length === 0) modes.push("compiled", "npm-start", "tsx");
  const unknown = modes.filter((mode) => !(mode in MODES));
  if (unknown.length > 0)
    throw new Error(`unknown mode ${unknown.join(", ")}; modes: ${Object.keys(MODES).join(", ")}`);

  // npm-start builds by itself; tsx alone also runs in a checkout from before the build step.
  if (modes.includes("compiled")) {
    const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: REPO_ROOT, stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
  const dir = mkdtempSync(join(tmpdir(), "borgerbot-bench-startup-"));
  try {
    const dbFile = join(dir, "db.json");
    await seedStore(modes[0]!, dbFile);
    const results = new Map(modes.map((mode) => [mode, { ms: [] as number[], rssMb: [] as number[] }]));
    // Round 0 is not counted: it fills tsx's transpile cache and the model cache, which a
    // restart finds filled.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const mode of modes) {
        const port = await freePort();
        const startedAt = performance.now();
        const server = start(mode, dbFile, port);
        try {
          const ms = await untilHealthy(server, startedAt);
          const rssMb = treeRssMb(server.child.pid!);
          if (round > 0) {
            results.get(mode)!.ms.push(ms);
            results.get(mode)!.rssMb.push(rssMb);
          }
        } finally {
          await stop(server);
        }
      }
    }
    console.log(`start to the first 200 from /healthz, ${MEMBERS} members, median of ${ROUNDS} (min–max)`);
    for (const [mode, { ms, rssMb }] of results) {
      console.log(
        `  ${mode.padEnd(10)} ${(median(ms) / 1000).toFixed(2)} s (${spread(
          ms.map((value) => value / 1000),
          2,
        )})   RSS ${median(rssMb).toFixed(0)} MB (${spread(rssMb, 0)})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
