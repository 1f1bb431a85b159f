import "dotenv/config";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

/** Entry point: reads the environment, builds the app and listens. Nothing else happens here. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Loaded only once the config holds: a refused start says why at once, without loading the bot.
  const [{ createApp }, { createIntentClassifier }] = await Promise.all([
    import("./app.js"),
    import("./nlu/intents.js"),
  ]);
  const logger = createLogger({ level: config.logLevel });
  const classifier = await createIntentClassifier();
  const app = await createApp({
    config,
    logger,
    clock: () => new Date(),
    classify: (text) => classifier.classify(text),
  });
  const listening = () => {
    const mode = config.localMode
      ? "local mode: open http://localhost:" + config.port + " to chat"
      : "Bot Framework auth on";
    logger.info(
      { port: config.port, host: config.host ?? "all interfaces", assembly: app.assembly.id },
      `borgerbot is listening (${mode})`,
    );
  };
  // Without a host Node listens on every interface.
  if (config.host) app.server.listen(config.port, config.host, listening);
  else app.server.listen(config.port, listening);
  const stop = async (signal: string) => {
    logger.info({ signal }, "stopping");
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  // Startup errors (config, data file, assembly file) are written for the operator, not as a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`borgerbot could not start:\n${message}`);
  process.exit(1);
});
