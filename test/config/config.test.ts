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

  it("has every variable documented in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const documented = [...example.matchAll(/^([A-Za-z_]+)=/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
