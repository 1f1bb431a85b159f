import "dotenv/config";
import { readFile } from "node:fs/promises";
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
 * `npm run organizer -- import FILE | invite | attendance [--csv] | reminders [--csv] | outbox | forget PHONE`.
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

async function invite(client: OrganizerClient): Promise<{ sent: number; skipped: number }> {
  let result = await client.request<{ sent: number; skipped: number; remaining: number }>(
    "POST",
    `/api/organizer/invitations?limit=${INVITE_BATCH}`,
  );
  const firstSkipped = result.skipped;
  const bar = progressBar();
  bar.start(result.sent + result.remaining, result.sent);
  let sent = result.sent;
  while (result.remaining > 0 && result.sent > 0) {
    result = await client.request("POST", `/api/organizer/invitations?limit=${INVITE_BATCH}`);
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
    case "invite":
      write(t("cli.invited", await invite(client)));
      return 0;
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
  try {
    return await runOrganizerCli(process.argv.slice(2), client, (line) => console.log(line));
  } catch (error) {
    if (error instanceof ServerUnreachableError) console.error(t("cli.notRunning", { url: baseUrl }));
    else if (error instanceof ApiError)
      console.error(t("cli.apiError", { status: error.status, message: error.message }));
    else throw error;
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
