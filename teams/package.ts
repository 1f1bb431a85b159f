/**
 * Builds the Teams app package (`npm run teams:package`): manifest.json plus the two icons, zipped
 * at the root as Teams requires, ready to upload in Teams admin center or "Upload a custom app".
 *
 * Settings, from the environment or .env:
 *   MicrosoftAppId        required; the bot's Azure app registration id (a GUID)
 *   TEAMS_APP_ID          the Teams app's own id (a GUID); defaults to MicrosoftAppId
 *   TEAMS_APP_NAME        shown in Teams (at most 30 characters); default "borgerbot"
 *   PUBLIC_URL            the bot's public address, e.g. https://borgerbot.kommune.dk; its host goes
 *                         into validDomains (optional: a bot-only app needs no domains)
 *   TEAMS_DEVELOPER_NAME  the municipality, at most 32 characters; default "Eksempel Kommune"
 *   TEAMS_WEBSITE_URL     https page about the assembly; default https://kommune.example.com/borgersamling
 *   TEAMS_PRIVACY_URL     https privacy policy; default https://kommune.example.com/privatlivspolitik
 *   TEAMS_TERMS_URL       https terms of use; default https://kommune.example.com/vilkaar
 * The developer defaults are placeholders so a test package builds; the packager warns while they
 * are in use, and a municipality sets its own before publishing.
 *
 * Scopes: only "personal". Members talk to the bot one to one about their own meetings, RSVPs and
 * questions, which can be personal (accessibility needs, transport); adding it to a team or group
 * chat would show those answers to others, so the app does not offer it.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { config as loadDotenv } from "dotenv";
import JSZip from "jszip";

const TEAMS_DIR = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATE_FILE = path.join(TEAMS_DIR, "manifest.template.json");
const ICON_FILES = ["color.png", "outline.png"] as const;
const DEFAULT_OUT_FILE = path.join(TEAMS_DIR, "build", "borgerbot-teams.zip");

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const PLACEHOLDER = /\$\{\{(\w+)\}\}/g;

const DEVELOPER_DEFAULTS = {
  TEAMS_DEVELOPER_NAME: "Eksempel Kommune",
  TEAMS_WEBSITE_URL: "https://kommune.example.com/borgersamling",
  TEAMS_PRIVACY_URL: "https://kommune.example.com/privatlivspolitik",
  TEAMS_TERMS_URL: "https://kommune.example.com/vilkaar",
} as const;

export type Env = Record<string, string | undefined>;

/** A setting or manifest problem; the message is one line that says what to set. */
export class TeamsPackageError extends Error {
  override name = "TeamsPackageError";
}

export interface TeamsPackage {
  outFile: string;
  manifest: Manifest;
  /** Settings that fell back to example values; fine for a test, not for publishing. */
  warnings: string[];
}

/** The part of the v1.17 manifest this app uses. */
export interface Manifest {
  manifestVersion: string;
  version: string;
  id: string;
  localizationInfo: { defaultLanguageTag: string };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: Array<{
    botId: string;
    scopes: string[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }>;
  }>;
  validDomains: string[];
}

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function requireGuid(name: string, value: string | undefined): string {
  if (!value) {
    throw new TeamsPackageError(
      `${name} is not set: add ${name}=<the bot's Azure app registration id, a GUID> to .env or the environment, then run npm run teams:package again.`,
    );
  }
  if (!GUID.test(value)) {
    throw new TeamsPackageError(
      `${name} must be a GUID like 00000000-0000-0000-0000-000000000000 (got "${value}"): fix it in .env or the environment.`,
    );
  }
  return value;
}

function publicHostname(publicUrl: string | undefined): string {
  if (!publicUrl) return "";
  try {
    return new URL(publicUrl).hostname;
  } catch {
    throw new TeamsPackageError(
      `PUBLIC_URL must be a full address like https://borgerbot.kommune.dk (got "${publicUrl}"): fix it in .env or leave it out.`,
    );
  }
}

/** Teams only accepts an update with a higher version, so the manifest follows package.json's version. */
async function appVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(TEAMS_DIR, "..", "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

async function templateValues(env: Env): Promise<{ values: Record<string, string>; warnings: string[] }> {
  const microsoftAppId = requireGuid("MicrosoftAppId", setting(env, "MicrosoftAppId"));
  const teamsAppId = setting(env, "TEAMS_APP_ID");
  const warnings: string[] = [];
  const values: Record<string, string> = {
    MicrosoftAppId: microsoftAppId,
    TEAMS_APP_ID: teamsAppId ? requireGuid("TEAMS_APP_ID", teamsAppId) : microsoftAppId,
    TEAMS_APP_NAME: setting(env, "TEAMS_APP_NAME") ?? "borgerbot",
    APP_VERSION: await appVersion(),
    PUBLIC_HOSTNAME: publicHostname(setting(env, "PUBLIC_URL")),
  };
  for (const [name, example] of Object.entries(DEVELOPER_DEFAULTS)) {
    const value = setting(env, name);
    if (!value)
      warnings.push(`${name} is not set; using the example value "${example}". Set it before publishing.`);
    values[name] = value ?? example;
  }
  return { values, warnings };
}

/** Replaces ${{NAME}} in every string of the template; a name without a value is a template bug. */
function fillTemplate(node: unknown, values: Record<string, string>): unknown {
  if (typeof node === "string") {
    return node.replace(PLACEHOLDER, (_match, name: string) => {
      const value = values[name];
      if (value === undefined)
        throw new TeamsPackageError(`manifest.template.json uses an unknown \${{${name}}}.`);
      return value;
    });
  }
  if (Array.isArray(node)) return node.map((item) => fillTemplate(item, values));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fillTemplate(value, values)]));
  }
  return node;
}

/**
 * The v1.17 schema rules that settings can break (ids, lengths, URLs, colours), checked here so a
 * mistake shows up now rather than as a vague rejection when the zip is uploaded to Teams.
 */
function manifestProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const maxLength = (value: string | undefined, max: number, field: string) =>
    check(
      typeof value === "string" && value.length > 0 && value.length <= max,
      `${field} must be 1–${max} characters`,
    );
  const httpsUrl = (value: string | undefined, field: string) =>
    check(
      /^https:\/\/\S+$/.test(value ?? "") && (value ?? "").length <= 2048,
      `${field} must be an https:// URL`,
    );

  check(manifest.manifestVersion === "1.17", "manifestVersion must be 1.17");
  check(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(manifest.version ?? ""), "version must be x.y.z");
  check(GUID.test(manifest.id ?? ""), "id must be a GUID");
  check(
    /^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8}){0,2}$/.test(manifest.localizationInfo?.defaultLanguageTag ?? ""),
    "localizationInfo.defaultLanguageTag must be a language tag",
  );
  maxLength(manifest.developer?.name, 32, "developer.name (TEAMS_DEVELOPER_NAME)");
  httpsUrl(manifest.developer?.websiteUrl, "developer.websiteUrl (TEAMS_WEBSITE_URL)");
  httpsUrl(manifest.developer?.privacyUrl, "developer.privacyUrl (TEAMS_PRIVACY_URL)");
  httpsUrl(manifest.developer?.termsOfUseUrl, "developer.termsOfUseUrl (TEAMS_TERMS_URL)");
  maxLength(manifest.name?.short, 30, "name.short (TEAMS_APP_NAME)");
  maxLength(manifest.name?.full, 100, "name.full");
  maxLength(manifest.description?.short, 80, "description.short");
  maxLength(manifest.description?.full, 4000, "description.full");
  check(
    Boolean(manifest.icons?.color && manifest.icons?.outline),
    "icons.color and icons.outline are required",
  );
  check(/^#[0-9a-fA-F]{6}$/.test(manifest.accentColor ?? ""), "accentColor must be #RRGGBB");
  check(manifest.bots?.length === 1, "exactly one bot is required");
  for (const bot of manifest.bots ?? []) {
    check(GUID.test(bot.botId ?? ""), "bots[0].botId must be a GUID");
    check(bot.scopes?.length > 0, "bots[0].scopes must not be empty");
    for (const list of bot.commandLists ?? []) {
      check(list.commands.length <= 10, "a command list has at most 10 commands");
      for (const command of list.commands) {
        maxLength(command.title, 32, `command "${command.title}" title`);
        maxLength(command.description, 128, `command "${command.title}" description`);
      }
    }
  }
  check(manifest.validDomains.length <= 16, "validDomains has at most 16 entries");
  for (const domain of manifest.validDomains) {
    check(!domain.includes("://"), `validDomains entry "${domain}" must be a host name without https://`);
  }
  return problems;
}

async function buildTeamsManifest(env: Env): Promise<{ manifest: Manifest; warnings: string[] }> {
  const { values, warnings } = await templateValues(env);
  const template: unknown = JSON.parse(await readFile(TEMPLATE_FILE, "utf8"));
  const manifest = fillTemplate(template, values) as Manifest;
  // validDomains is optional for a bot, so an unset PUBLIC_URL leaves it empty rather than "".
  manifest.validDomains = manifest.validDomains.filter((domain) => domain !== "");
  const problems = manifestProblems(manifest);
  if (problems.length > 0)
    throw new TeamsPackageError(`The Teams manifest is invalid: ${problems.join("; ")}.`);
  return { manifest, warnings };
}

export async function buildTeamsPackage({
  env,
  outFile = DEFAULT_OUT_FILE,
}: {
  env: Env;
  outFile?: string;
}): Promise<TeamsPackage> {
  const { manifest, warnings } = await buildTeamsManifest(env);
  const zip = new JSZip();
  zip.file("manifest.json", JSON.stringify(manifest, null, 2) + "\n");
  for (const icon of ICON_FILES) zip.file(icon, await readFile(path.join(TEAMS_DIR, icon)));
  const archive = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, archive);
  return { outFile, manifest, warnings };
}

async function main(): Promise<void> {
  // quiet: dotenv 17 otherwise prints a banner line on every run.
  loadDotenv({ quiet: true });
  try {
    const { outFile, warnings } = await buildTeamsPackage({ env: process.env });
    for (const warning of warnings) console.warn(`warning: ${warning}`);
    console.log(path.relative(process.cwd(), outFile));
  } catch (error) {
    if (!(error instanceof TeamsPackageError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  }
}

/** True under `tsx teams/package.ts`, false when a test imports this module. */
function invokedDirectly(): boolean {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? "")).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) await main();
