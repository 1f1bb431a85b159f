import { z } from "zod";

/**
 * The environment is read once, at start, through this schema. Everything that is wrong is
 * reported in one message, so an operator fixes the .env file in one go instead of one
 * restart per variable.
 */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

/** One Danish long code sends one SMS a second; a Messaging Service with more senders allows more. */
export const DEFAULT_SMS_RATE_PER_SECOND = 1;
/** Far above any Twilio sender's rate: a larger value is a typo, not a plan. */
const MAX_SMS_RATE_PER_SECOND = 1000;

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z
  .object({
    HOST: optionalText,
    PORT: z.coerce.number({ error: "must be a port number" }).int().min(1).max(65535).default(3978),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: optionalText.pipe(
      z
        .enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"], {
          error: "must be MultiTenant, SingleTenant or UserAssignedMSI",
        })
        .optional(),
    ),
    MicrosoftAppTenantId: optionalText,
    TWILIO_ACCOUNT_SID: optionalText.pipe(
      z
        .string()
        .regex(/^AC[0-9a-fA-F]{32}$/, "must look like AC followed by 32 hex characters")
        .optional(),
    ),
    TWILIO_AUTH_TOKEN: optionalText,
    TWILIO_FROM: optionalText.pipe(
      z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +4512345678")
        .optional(),
    ),
    TWILIO_MESSAGING_SERVICE_SID: optionalText.pipe(
      z
        .string()
        .regex(/^MG[0-9a-fA-F]{32}$/, "must look like MG followed by 32 hex characters")
        .optional(),
    ),
    SMS_RATE_PER_SECOND: optionalText.pipe(
      z.coerce
        .number<string | undefined>({ error: "must be a number of messages per second, such as 1" })
        .positive("must be more than 0 messages per second")
        .max(MAX_SMS_RATE_PER_SECOND, `must be at most ${MAX_SMS_RATE_PER_SECOND} messages per second`)
        .default(DEFAULT_SMS_RATE_PER_SECOND),
    ),
    PUBLIC_URL: optionalText.pipe(
      z
        .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://bot.example.dk" })
        .transform((url) => url.replace(/\/+$/, ""))
        .optional(),
    ),
    DB_FILE: z.string().trim().min(1).default("data/db.json"),
    ASSEMBLY_FILE: z.string().trim().min(1).default("data/assembly.json"),
    ORGANIZERS: z
      .string()
      .default("")
      .transform((list) =>
        list
          .split(",")
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ""),
      ),
    ORGANIZER_TOKEN: optionalText.pipe(
      z.string().min(24, "must be at least 24 characters (use a random secret)").optional(),
    ),
    LOG_LEVEL: z.enum(logLevels).default("info"),
    NODE_ENV: optionalText,
  })
  .superRefine(
    (env, ctx) => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: "custom", path: [path], message });
      if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== "UserAssignedMSI") {
        problem("MicrosoftAppPassword", "is required when MicrosoftAppId is set");
      }
      if (env.MicrosoftAppType === "SingleTenant" && !env.MicrosoftAppTenantId) {
        problem("MicrosoftAppTenantId", "is required when MicrosoftAppType is SingleTenant");
      }
      const twilioSet = [env.TWILIO_ACCOUNT_SID, env.TWILIO_FROM, env.TWILIO_MESSAGING_SERVICE_SID].some(
        Boolean,
      );
      if (twilioSet && !env.TWILIO_ACCOUNT_SID) problem("TWILIO_ACCOUNT_SID", "is required to send SMS");
      if (twilioSet && !env.TWILIO_AUTH_TOKEN) problem("TWILIO_AUTH_TOKEN", "is required to send SMS");
      if (env.TWILIO_ACCOUNT_SID && !env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID) {
        problem("TWILIO_FROM", "or TWILIO_MESSAGING_SERVICE_SID is required when TWILIO_ACCOUNT_SID is set");
      }
      if (env.TWILIO_AUTH_TOKEN && !env.PUBLIC_URL) {
        problem(
          "PUBLIC_URL",
          "is required when TWILIO_AUTH_TOKEN is set: Twilio signs the public webhook URL",
        );
      }
      // Twilio without signature checks is refused above in every mode. Production also refuses
      // what is harmless on a laptop: local mode lets anyone chat as anyone, and without a token
      // the organizers have no API.
      if (env.NODE_ENV === "production") {
        if (isLocalMode(env)) {
          problem(
            "NODE_ENV",
            "is production, which refuses local mode: set MicrosoftAppId (Teams, Web Chat) or TWILIO_ACCOUNT_SID (SMS)",
          );
        }
        if (!env.ORGANIZER_TOKEN) problem("ORGANIZER_TOKEN", "is required when NODE_ENV is production");
      }
    },
    // Run even when a field is invalid, so one message lists every problem. The checks only
    // test whether values are set, which an invalid value still is.
    { when: () => true },
  );

function isLocalMode(env: { MicrosoftAppId?: string; TWILIO_ACCOUNT_SID?: string }): boolean {
  return !env.MicrosoftAppId && !env.TWILIO_ACCOUNT_SID;
}

type Env = z.output<typeof envSchema>;

/** The variable names the schema reads; .env.example must document each. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export interface Config {
  port: number;
  /**
   * Where the server listens. Local mode defaults to 127.0.0.1, since its open endpoints must
   * not be reachable from the network; otherwise undefined, which is every interface.
   */
  host?: string;
  /**
   * Neither Azure nor Twilio configured: anonymous Bot Framework (as the Emulator expects), the
   * local chat page, and an SMS dry-run outbox. With real Twilio and no Azure app the bot runs
   * SMS only; anonymous Bot Framework would then let anyone pose as any member.
   */
  localMode: boolean;
  microsoft: { appId?: string; appPassword?: string; appType?: string; tenantId?: string };
  twilio: {
    accountSid?: string;
    authToken?: string;
    from?: string;
    messagingServiceSid?: string;
    /** How many SMS a second go to Twilio at most (SMS_RATE_PER_SECOND), retries included. */
    ratePerSecond: number;
  };
  publicUrl?: string;
  dbFile: string;
  assemblyFile: string;
  organizers: string[];
  organizerToken?: string;
  logLevel: (typeof logLevels)[number];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `config: the environment has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(environment: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`),
    );
  }
  return toConfig(parsed.data);
}

function toConfig(env: Env): Config {
  return {
    port: env.PORT,
    host: env.HOST ?? (isLocalMode(env) ? "127.0.0.1" : undefined),
    localMode: isLocalMode(env),
    microsoft: {
      appId: env.MicrosoftAppId,
      appPassword: env.MicrosoftAppPassword,
      appType: env.MicrosoftAppType,
      tenantId: env.MicrosoftAppTenantId,
    },
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      from: env.TWILIO_FROM,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      ratePerSecond: env.SMS_RATE_PER_SECOND,
    },
    publicUrl: env.PUBLIC_URL,
    dbFile: env.DB_FILE,
    assemblyFile: env.ASSEMBLY_FILE,
    organizers: env.ORGANIZERS,
    organizerToken: env.ORGANIZER_TOKEN,
    logLevel: env.LOG_LEVEL,
  };
}
