import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import JSZip from "jszip";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildTeamsPackage, TeamsPackageError } from "../../teams/package.js";

const APP_ID = "11111111-2222-3333-4444-555555555555";
const TEAMS_APP_ID = "66666666-7777-8888-9999-aaaaaaaaaaaa";

/** Width and height from a PNG's IHDR chunk, which always follows the 8-byte signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString("ascii", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("buildTeamsPackage", () => {
  let dir: string;
  let outFile: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "borgerbot-teams-"));
    outFile = path.join(dir, "borgerbot-teams.zip");
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function unzip(file: string): Promise<JSZip> {
    return JSZip.loadAsync(await readFile(file));
  }

  it("zips manifest.json and both icons at the root, with the bot's id", async () => {
    const result = await buildTeamsPackage({ env: { MicrosoftAppId: APP_ID }, outFile });
    expect(result.outFile).toBe(outFile);

    const zip = await unzip(outFile);
    expect(Object.keys(zip.files).sort()).toEqual(["color.png", "manifest.json", "outline.png"]);

    const manifest = JSON.parse(await zip.file("manifest.json")!.async("string"));
    expect(manifest.manifestVersion).toBe("1.17");
    expect(manifest.$schema).toContain("/teams/v1.17/MicrosoftTeams.schema.json");
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.bots[0].scopes).toContain("personal");
    expect(manifest.bots[0].supportsFiles).toBe(false);
    expect(manifest.bots[0].isNotificationOnly).toBe(false);
    expect(manifest.localizationInfo).toEqual({ defaultLanguageTag: "da-dk" });
    expect(manifest.name.short).toBe("borgerbot");
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.validDomains).toEqual([]);
    expect(JSON.stringify(manifest)).not.toContain("${{");

    expect(manifest.icons).toEqual({ color: "color.png", outline: "outline.png" });
    expect(pngSize(await zip.file("color.png")!.async("nodebuffer"))).toEqual({ width: 192, height: 192 });
    expect(pngSize(await zip.file("outline.png")!.async("nodebuffer"))).toEqual({ width: 32, height: 32 });
  });

  it("uses TEAMS_APP_ID, TEAMS_APP_NAME, PUBLIC_URL and the municipality's own pages when set", async () => {
    const { manifest, warnings } = await buildTeamsPackage({
      env: {
        MicrosoftAppId: APP_ID,
        TEAMS_APP_ID,
        TEAMS_APP_NAME: "Borgerbot Aarhus",
        PUBLIC_URL: "https://borgerbot.kommune.dk/api/messages",
        TEAMS_DEVELOPER_NAME: "Aarhus Kommune",
        TEAMS_WEBSITE_URL: "https://www.aarhus.dk/borgersamling",
        TEAMS_PRIVACY_URL: "https://www.aarhus.dk/privatliv",
        TEAMS_TERMS_URL: "https://www.aarhus.dk/vilkaar",
      },
      outFile,
    });
    expect(manifest.id).toBe(TEAMS_APP_ID);
    expect(manifest.bots[0]!.botId).toBe(APP_ID);
    expect(manifest.name.short).toBe("Borgerbot Aarhus");
    expect(manifest.validDomains).toEqual(["borgerbot.kommune.dk"]);
    expect(manifest.developer).toEqual({
      name: "Aarhus Kommune",
      websiteUrl: "https://www.aarhus.dk/borgersamling",
      privacyUrl: "https://www.aarhus.dk/privatliv",
      termsOfUseUrl: "https://www.aarhus.dk/vilkaar",
    });
    expect(warnings).toEqual([]);
  });

  it("warns while the developer details are the example placeholders", async () => {
    const { warnings } = await buildTeamsPackage({ env: { MicrosoftAppId: APP_ID }, outFile });
    expect(warnings.join("\n")).toContain("TEAMS_DEVELOPER_NAME");
    expect(warnings.join("\n")).toContain("TEAMS_PRIVACY_URL");
  });

  it("refuses to build without MicrosoftAppId, naming the variable and how to set it", async () => {
    const attempt = buildTeamsPackage({ env: {}, outFile });
    await expect(attempt).rejects.toBeInstanceOf(TeamsPackageError);
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("MicrosoftAppId");
    expect(error.message).toContain(".env");
    expect(error.message).not.toContain("\n");
  });

  it("refuses a MicrosoftAppId that is not a GUID", async () => {
    await expect(buildTeamsPackage({ env: { MicrosoftAppId: "my-bot" }, outFile })).rejects.toThrow(
      /MicrosoftAppId must be a GUID/,
    );
  });

  it("refuses settings that break the manifest schema, naming each one", async () => {
    const error = (await buildTeamsPackage({
      env: {
        MicrosoftAppId: APP_ID,
        TEAMS_APP_NAME: "x".repeat(31),
        TEAMS_PRIVACY_URL: "http://insecure.dk",
      },
      outFile,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TeamsPackageError);
    expect(error.message).toContain("name.short (TEAMS_APP_NAME)");
    expect(error.message).toContain("developer.privacyUrl (TEAMS_PRIVACY_URL)");
  });
});
