import { cpSync } from "node:fs";
import { join } from "node:path";

/*
 * The build's second step, after tsc: the files the compiled code reads through
 * `new URL(…, import.meta.url)`. Those paths are relative to each module, so dist/ mirrors the
 * source tree and holds these files where the sources find them (dist/package.json,
 * dist/locales/, dist/data/nlu/, dist/bot/web/). Run from the package root, as npm runs scripts.
 */
const ASSETS = ["package.json", "locales", "data/nlu/intents.da.json", "bot/web"];

for (const asset of ASSETS) cpSync(asset, join("dist", asset), { recursive: true });
