/**
 * Preloaded (`node --import tsx --import holdStart.ts bot/index.ts`) by tests that kill and
 * restart the real server many times. Loading the server's modules costs seconds of CPU, far
 * more than the start itself, so the next server process loads them while the current one is
 * still serving, and then waits here. bot/index.ts runs only after SIGUSR2: until then this
 * process has not touched the data file, its lock or the port, so what follows the signal is a
 * real start on the files the killed process left.
 */
const released = new Promise<void>((resolve) => process.once("SIGUSR2", () => resolve()));
// A signal listener does not keep Node alive; this does, until the release. A held process
// whose test process died (it is then a child of init) ends itself instead of waiting forever.
const parent = process.ppid;
const keepAlive = setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1_000);
const mark = (msg: string) => process.stdout.write(`${JSON.stringify({ msg })}\n`);
mark("test: holding the start until SIGUSR2");

// The same module URLs bot/index.ts imports, so it finds them loaded.
await import("../../bot/app.js");
await import("../../bot/config.js");
await import("../../bot/logger.js");
await import("../../bot/nlu/intents.js");
await import("dotenv/config");
mark("test: modules loaded");

await released;
clearInterval(keepAlive);
mark("test: released");
