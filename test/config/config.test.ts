import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../bot/config.js";

const SID = `AC${"a".repeat(32)}`;

describe("loadConfig", () => {
  it("runs in local mode with no environment at all", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3978,
      localMode: true,
      dbFile: "data/db.json",
      assemblyFile: "data/assembly.json",
    });
    expect(config.twilio.accountSid).toBeUndefined();
  });

  it("treats empty values, as in a copied .env.example, as unset", () => {
    expect(
      loadConfig({ MicrosoftAppId: "", TWILIO_FROM: "", PUBLIC_URL: "", MicrosoftAppType: "" }).localMode,
    ).toBe(true);
  });

  it("lists every problem in one error", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "x", MicrosoftAppType: "Foo", TWILIO_ACCOUNT_SID: "AC1", ORGANIZER_TOKEN: "short" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "PORT must be a port number",
      "MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI",
      "TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters",
      "ORGANIZER_TOKEN must be at least 24 characters (use a random secret)",
      "TWILIO_AUTH_TOKEN is required to send SMS",
      "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when TWILIO_ACCOUNT_SID is set",
    ]);
  });

  it("requires what goes with Twilio and Azure settings", () => {
    expect(() =>
      loadConfig({ TWILIO_ACCOUNT_SID: SID, MicrosoftAppId: "id", MicrosoftAppType: "SingleTenant" }),
    ).toThrow(
      [
        "config: the environment has 4 problem(s):",
        "  - MicrosoftAppPassword is required when MicrosoftAppId is set",
        "  - MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant",
        "  - TWILIO_AUTH_TOKEN is required to send SMS",
        "  - TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when TWILIO_ACCOUNT_SID is set",
      ].join("\n"),
    );
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: "t" })).toThrow(
      "PUBLIC_URL is required when TWILIO_AUTH_TOKEN is set",
    );
  });

  it("normalises PUBLIC_URL and ORGANIZERS", () => {
    const config = loadConfig({
      PUBLIC_URL: "https://bot.example.dk/",
      ORGANIZERS: " a@b.dk, ,+4520304050 ",
    });
    expect(config.publicUrl).toBe("https://bot.example.dk");
    expect(config.organizers).toEqual(["a@b.dk", "+4520304050"]);
  });

  it("sends at most one SMS a second to Twilio unless SMS_RATE_PER_SECOND says otherwise", () => {
    expect(loadConfig({}).twilio.ratePerSecond).toBe(1);
    expect(loadConfig({ SMS_RATE_PER_SECOND: "" }).twilio.ratePerSecond).toBe(1);
    expect(loadConfig({ SMS_RATE_PER_SECOND: " 30 " }).twilio.ratePerSecond).toBe(30);
    expect(loadConfig({ SMS_RATE_PER_SECOND: "0.5" }).twilio.ratePerSecond).toBe(0.5);
  });

  it("refuses an SMS rate that is not a positive number of messages per second, with the reason", () => {
    const problemsOf = (value: string) => {
      try {
        loadConfig({ SMS_RATE_PER_SECOND: value });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(problemsOf("fast")).toEqual([
      "SMS_RATE_PER_SECOND must be a number of messages per second, such as 1",
    ]);
    expect(problemsOf("0")).toEqual(["SMS_RATE_PER_SECOND must be more than 0 messages per second"]);
    expect(problemsOf("-2")).toEqual(["SMS_RATE_PER_SECOND must be more than 0 messages per second"]);
    expect(problemsOf("5000")).toEqual(["SMS_RATE_PER_SECOND must be at most 1000 messages per second"]);
  });

  it("listens on 127.0.0.1 in local mode unless HOST says otherwise", () => {
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "" }).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });

  it("listens on every interface outside local mode unless HOST is set", () => {
    const azure = { MicrosoftAppId: "app-id", MicrosoftAppPassword: "secret" };
    expect(loadConfig(azure).host).toBeUndefined();
    expect(loadConfig({ ...azure, HOST: "10.0.0.5" }).host).toBe("10.0.0.5");
  });

  it("refuses local mode and a missing ORGANIZER_TOKEN in production, in one message", () => {
    expect(() => loadConfig({ NODE_ENV: "production", PORT: "x" })).toThrow(
      [
        "config: the environment has 3 problem(s):",
        "  - PORT must be a port number",
        "  - NODE_ENV is production, which refuses local mode: set MicrosoftAppId (Teams, Web Chat) or TWILIO_ACCOUNT_SID (SMS)",
        "  - ORGANIZER_TOKEN is required when NODE_ENV is production",
      ].join("\n"),
    );
  });

  it("refuses Twilio without signature checks in production", () => {
    const production = { NODE_ENV: "production", ORGANIZER_TOKEN: "t".repeat(24) };
    const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_FROM: "+4512345678" };
    expect(() => loadConfig({ ...production, ...twilio })).toThrow(
      "TWILIO_AUTH_TOKEN is required to send SMS",
    );
    expect(() => loadConfig({ ...production, ...twilio, TWILIO_AUTH_TOKEN: "token" })).toThrow(
      "PUBLIC_URL is required when TWILIO_AUTH_TOKEN is set",
    );
  });

  it("starts in production with a deployed channel and an organizer token", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      ORGANIZER_TOKEN: "t".repeat(24),
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: "token",
      TWILIO_FROM: "+4512345678",
      PUBLIC_URL: "https://bot.example.dk",
    });
    expect(config).toMatchObject({ localMode: false, host: undefined });
  });

  it("has every variable documented in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const documented = [...example.matchAll(/^([A-Za-z_]+)=/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
