import "dotenv/config";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { SingleBar } from "cli-progress";
import { stringify } from "csv-stringify/sync";
import { loadConfig } from "../config.js";
import { toE164 } from "../domain/organizers.js";
import { decodeCsv, readCsvRecords } from "../domain/participantImport.js";
import { createTranslations } from "../i18n/i18n.js";
import {
  ApiError,
  createOrganizerClient,
  ServerUnreachableError,
  type OrganizerClient,
} from "./organizerClient.js";

/**
 * `npm run organizer -- import FILE | invite [--force] | attendance [--csv] | reminders [--csv] | outbox | forget PHONE | reload`.
 * An HTTP client of the running server, since one process owns the data file.
 */
const t = createTranslations().t("da");
const IMPORT_BATCH_ROWS = 500;
const INVITE_BATCH = 20;

interface ImportResponse {
  imported: number;
  updated: number;
  rejected: Array<{ row: number; reason: string }>;
}

function progressBar(): SingleBar {
  return new SingleBar({ format: t("cli.progress"), stream: process.stderr, hideCursor: true });
}

/** Large files go up in batches so the bar can move; rejected rows keep their line number in the file. */
async function importFile(client: OrganizerClient, file: string): Promise<ImportResponse> {
  // The server's own reader, so the CLI splits the file exactly as the server would read it.
  const { delimiter, records, unreadable } = readCsvRecords(decodeCsv(await readFile(file)));
  const [header, ...rows] = records;
  if (!header) throw new ApiError(400, t("cli.emptyFile"));
  const total: ImportResponse = { imported: 0, updated: 0, rejected: [...unreadable] };
  const bar = progressBar();
  bar.start(rows.length, 0);
  for (let start = 0; start === 0 || start < rows.length; start += IMPORT_BATCH_ROWS) {
    const batch = rows.slice(start, start + IMPORT_BATCH_ROWS);
    const data = stringify([header.record, ...batch.map((row) => row.record)], { delimiter });
    const result = await client.request<ImportResponse>("POST", "/api/organizer/participants", {
      type: "text/csv",
      data,
    });
    total.imported += result.imported;
    total.updated += result.updated;
    // The server numbers rows by the line of the batch they end on; map them to the file's lines.
    const batchLines = readCsvRecords(data)
      .records.slice(1)
      .map((record) => record.info.lines);
    total.rejected.push(
      ...result.rejected.map((rejection) => ({
        ...rejection,
        row: batch[batchLines.indexOf(rejection.row)]?.info.lines ?? rejection.row,
      })),
    );
    bar.update(Math.min(start + IMPORT_BATCH_ROWS, rows.length));
  }
  bar.stop();
  total.rejected.sort((a, b) => a.row - b.row);
  return total;
}

/** Asks the organizer a question on the terminal and returns the answer. */
export type Ask = (question: string) => Promise<string>;

/** The server refused a manual send because it is the quiet hours (409 "quiet-hours"). */
function quietHoursOf(error: unknown): { start: string; end: string } | undefined {
  if (!(error instanceof ApiError) || error.status !== 409 || error.message !== "quiet-hours")
    return undefined;
  const { quietHours } = (error.body ?? {}) as { quietHours?: { start?: unknown; end?: unknown } };
  const text = (value: unknown) => (typeof value === "string" ? value : "?");
  return { start: text(quietHours?.start), end: text(quietHours?.end) };
}

/**
 * A POST of a manual send. In the quiet hours the server refuses it unless forced: then the
 * organizer is asked (on a terminal), and a "j" sends it, and everything after it, forced.
 * Without a terminal, or on any other answer, nothing is sent and the result is undefined.
 */
function manualSender(client: OrganizerClient, options: { force: boolean; ask?: Ask }) {
  let force = options.force;
  let refusal: { quiet: { start: string; end: string }; asked: boolean } | undefined;
  const post = <T>(path: string) =>
    client.request<T>("POST", force ? `${path}${path.includes("?") ? "&" : "?"}force=true` : path);
  return {
    /** Why nothing was sent: the quiet hours, and whether the organizer said no or could not be asked. */
    get refusal() {
      return refusal;
    },
    async send<T>(path: string): Promise<T | undefined> {
      try {
        return await post<T>(path);
      } catch (error) {
        const quiet = quietHoursOf(error);
        if (!quiet || force) throw error;
        const answer = options.ask ? await options.ask(t("cli.quietHoursConfirm", quiet)) : "";
        if (!/^\s*(j|ja|y|yes)\s*$/i.test(answer)) {
          refusal = { quiet, asked: options.ask !== undefined };
          return undefined;
        }
        force = true;
        return await post<T>(path);
      }
    },
  };
}

interface InviteBatch {
  sent: number;
  skipped: number;
  remaining: number;
}

async function invite(
  client: OrganizerClient,
  options: { force: boolean; ask?: Ask; write: (line: string) => void },
): Promise<{ sent: number; skipped: number } | undefined> {
  const sender = manualSender(client, options);
  const first = await sender.send<InviteBatch>(`/api/organizer/invitations?limit=${INVITE_BATCH}`);
  if (!first) {
    const { quiet, asked } = sender.refusal!;
    options.write(t(asked ? "cli.quietHoursNotSent" : "cli.quietHoursNoTerminal", quiet));
    return undefined;
  }
  let result = first;
  const firstSkipped = result.skipped;
  const bar = progressBar();
  bar.start(result.sent + result.remaining, result.sent);
  let sent = result.sent;
  while (result.remaining > 0 && result.sent > 0) {
    // Forced from here on if the first batch was: the organizer has answered already. Quiet
    // hours that begin during the run ask then; a no keeps what went out and stops.
    const next = await sender.send<InviteBatch>(`/api/organizer/invitations?limit=${INVITE_BATCH}`);
    if (!next) break;
    result = next;
    sent += result.sent;
    bar.update(sent);
  }
  bar.stop();
  // Later batches count the earlier batches as skipped; only the first call's count is news.
  return { sent, skipped: firstSkipped };
}

async function forget(client: OrganizerClient, phone: string): Promise<string> {
  const e164 = toE164(phone);
  if (!e164) return t("cli.badPhone", { phone });
  // Also someone who only wrote in and is not on the list.
  const { participants } = await client.request<{ participants: Array<{ id: string; phone?: string }> }>(
    "GET",
    `/api/organizer/participants?phone=${encodeURIComponent(e164)}`,
  );
  const match = participants.find((participant) => participant.phone === e164);
  if (!match) return t("cli.unknownPhone", { phone: e164 });
  await client.request("DELETE", `/api/organizer/participants/${match.id}`);
  return t("cli.forgotten", { phone: e164 });
}

/**
 * Asks the server to read the assembly file again. A file with errors is refused and the old
 * one stays in force; the organizer is told what to fix. Returns the lines to print and whether it worked.
 */
async function reload(client: OrganizerClient): Promise<{ ok: boolean; lines: string[] }> {
  try {
    const result = await client.request<{ sessions: number; changes: number }>(
      "POST",
      "/api/organizer/reload",
    );
    return {
      ok: true,
      lines: [
        t("cli.reloaded", result),
        result.changes > 0 ? t("cli.reloadedChanges", { count: result.changes }) : t("cli.reloadedNoChanges"),
      ],
    };
  } catch (error) {
    if (!(error instanceof ApiError) || error.message !== "invalid-assembly-file") throw error;
    const { problems } = (error.body ?? {}) as { problems?: unknown };
    const listed = Array.isArray(problems) ? problems.map(String) : [];
    return {
      ok: false,
      lines: [t("cli.reloadInvalid"), ...listed.map((problem) => t("cli.reloadProblem", { problem }))],
    };
  }
}

/** A list from the API: JSON to read, or with --csv the CSV for Danish Excel. */
async function list(client: OrganizerClient, path: string, csv: boolean): Promise<string> {
  return csv
    ? await client.requestText(`${path}?format=csv`)
    : JSON.stringify(await client.request("GET", path), null, 2);
}

export async function runOrganizerCli(
  args: string[],
  client: OrganizerClient,
  write: (line: string) => void,
  /** Present on a terminal: a manual send in the quiet hours asks before it goes out. */
  ask?: Ask,
): Promise<number> {
  const [command, argument] = args;
  switch (command) {
    case "import": {
      if (!argument) break;
      const result = await importFile(client, argument);
      write(
        t("cli.imported", {
          imported: result.imported,
          updated: result.updated,
          rejected: result.rejected.length,
        }),
      );
      for (const rejection of result.rejected) write(t("cli.rejectedRow", rejection));
      return 0;
    }
    case "invite": {
      if (argument !== undefined && argument !== "--force") break;
      const result = await invite(client, { force: argument === "--force", ask, write });
      if (!result) return 1;
      write(t("cli.invited", result));
      return 0;
    }
    case "attendance":
    case "reminders":
      write(await list(client, `/api/organizer/${command}`, argument === "--csv"));
      return 0;
    case "outbox":
      write(JSON.stringify(await client.request("GET", "/api/organizer/outbox"), null, 2));
      return 0;
    case "forget":
      if (!argument) break;
      write(await forget(client, argument));
      return 0;
    case "reload": {
      if (argument !== undefined) break;
      const { ok, lines } = await reload(client);
      for (const line of lines) write(line);
      return ok ? 0 : 1;
    }
  }
  write(t("cli.usage"));
  return 2;
}

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.organizerToken) {
    console.error(t("cli.noToken"));
    return 2;
  }
  const baseUrl = `http://127.0.0.1:${config.port}`;
  const client = createOrganizerClient({ baseUrl, token: config.organizerToken });
  const terminal = process.stdin.isTTY && process.stdout.isTTY;
  const ask: Ask | undefined = terminal
    ? async (question) => {
        const readline = createInterface({ input: process.stdin, output: process.stdout });
        try {
          return await readline.question(question);
        } finally {
          readline.close();
        }
      }
    : undefined;
  try {
    return await runOrganizerCli(process.argv.slice(2), client, (line) => console.log(line), ask);
  } catch (error) {
    if (error instanceof ServerUnreachableError) console.error(t("cli.notRunning", { url: baseUrl }));
    else if (error instanceof ApiError)
      console.error(t("cli.apiError", { status: error.status, message: error.message }));
    else throw error;
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
