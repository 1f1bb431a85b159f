import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import type { DbData, Participant } from "../store/schema.js";
import { toE164 } from "./organizers.js";
import { hashPhone } from "./erasure.js";
import { mergeInto, recordHistory } from "./participants.js";

export interface ImportResult {
  imported: number;
  updated: number;
  rejected: Array<{ row: number; reason: string }>;
}

interface ImportRow {
  row: number;
  name: string;
  phone: string;
  email?: string;
  language?: "da" | "en";
  teamsId?: string;
}

const HEADER_ALIASES: Record<string, keyof Omit<ImportRow, "row">> = {
  name: "name",
  navn: "name",
  phone: "phone",
  telefon: "phone",
  mobil: "phone",
  email: "email",
  "e-mail": "email",
  mail: "email",
  language: "language",
  sprog: "language",
  teams_id: "teamsId",
};

/**
 * Reads the bytes of an uploaded CSV: UTF-8 with or without BOM, else Windows-1252 (what older
 * Danish Excel saves as "CSV"), so "Søren" survives either way.
 */
export function decodeCsv(bytes: Buffer): string {
  const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(text);
  } catch {
    return new TextDecoder("windows-1252").decode(text);
  }
}

/** Danish Excel writes ";", others ","; the header line tells which. */
function detectDelimiter(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? "";
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ";" : ",";
}

export class ImportError extends Error {}

/** Parses and validates rows; bad rows are reported with their line number, good rows kept. */
export interface CsvRecords {
  delimiter: string;
  /** Each record with the line of the file it ends on. */
  records: Array<{ record: string[]; info: { lines: number } }>;
  unreadable: ImportResult["rejected"];
}

/**
 * The file's records, read leniently: stray quotes inside a field are kept, and a row that
 * cannot be read at all is reported and skipped so the rest of the file still counts.
 */
export function readCsvRecords(text: string): CsvRecords {
  const unreadable: ImportResult["rejected"] = [];
  const delimiter = detectDelimiter(text);
  try {
    const records = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      skip_records_with_error: true,
      on_skip: (error) =>
        void unreadable.push({
          row: Number(error?.lines ?? 0),
          reason: `the row could not be read: ${error?.message ?? "unknown error"}`,
        }),
    }) as unknown as CsvRecords["records"];
    return { delimiter, records, unreadable };
  } catch (error) {
    throw new ImportError(`participantImport: the CSV could not be read: ${(error as Error).message}`);
  }
}

/** Parses and validates rows; bad rows are reported with their line number, good rows kept. */
export function parseParticipantCsv(text: string): { rows: ImportRow[]; rejected: ImportResult["rejected"] } {
  const { records, unreadable } = readCsvRecords(text);
  const rejected = [...unreadable];
  const [header, ...body] = records;
  const columns = (header?.record ?? []).map((cell) => HEADER_ALIASES[cell.toLowerCase()]);
  if (!columns.includes("name") || !columns.includes("phone")) {
    throw new ImportError("participantImport: the header must have at least the columns name and phone");
  }
  const rows: ImportRow[] = [];
  for (const { record: cells, info } of body) {
    const row = info.lines;
    const value = (key: keyof Omit<ImportRow, "row">) => {
      const cell = cells[columns.indexOf(key)]?.trim();
      return cell ? cell : undefined;
    };
    const reason = rowProblem(value);
    if (reason) {
      rejected.push({ row, reason });
      continue;
    }
    const language = value("language")?.toLowerCase();
    rows.push({
      row,
      name: value("name")!,
      phone: toE164(value("phone")!)!,
      email: value("email")?.toLowerCase(),
      language: language === "en" ? "en" : language === "da" ? "da" : undefined,
      teamsId: value("teamsId"),
    });
  }
  rejected.sort((a, b) => a.row - b.row);
  return { rows, rejected };
}

function rowProblem(value: (key: keyof Omit<ImportRow, "row">) => string | undefined): string | undefined {
  const name = value("name");
  const phone = value("phone");
  if (!name) return "name is empty";
  if (/^[=+\-@]/.test(name)) return "name looks like a spreadsheet formula";
  if (name.length > 200) return "name is longer than 200 characters";
  if (!phone) return "phone is empty";
  if (!toE164(phone)) return `phone ${JSON.stringify(phone.slice(0, 30))} is not a valid phone number`;
  const email = value("email");
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    return `email ${JSON.stringify(email.slice(0, 60))} is not valid`;
  const language = value("language")?.toLowerCase();
  if (language && language !== "da" && language !== "en") return "language must be da or en";
  return undefined;
}

/** Adds the rows to the data, merging rows and existing participants with the same phone. */
export function importParticipants(
  data: DbData,
  batch: { rows: ImportRow[]; now: Date; secret: Buffer },
): ImportResult {
  const { rows, now, secret } = batch;
  const byPhone = new Map(data.participants.filter((p) => p.phone).map((p) => [p.phone!, p]));
  const suppressed = new Set(data.suppressedPhones);
  const created = new Set<string>();
  const rejected: ImportResult["rejected"] = [];
  let updated = 0;
  for (const row of rows) {
    if (suppressed.has(hashPhone(row.phone, secret))) {
      rejected.push({ row: row.row, reason: "this person asked to be erased and not contacted again" });
      continue;
    }
    const existing = byPhone.get(row.phone);
    if (existing) {
      if (!created.has(existing.id)) updated++;
      Object.assign(existing, {
        onList: true,
        name: row.name,
        ...(row.email ? { email: row.email } : {}),
        ...(row.language ? { language: row.language } : {}),
        ...(row.teamsId ? { teamsId: row.teamsId } : {}),
      });
      continue;
    }
    const participant: Participant = {
      id: randomUUID(),
      name: row.name,
      phone: row.phone,
      email: row.email,
      teamsId: row.teamsId,
      language: row.language ?? "da",
      onList: true,
      createdAt: now.toISOString(),
      invitation: "none",
      optedOut: false,
    };
    data.participants.push(participant);
    data.identities.push({ channel: "sms", key: row.phone, participantId: participant.id });
    byPhone.set(row.phone, participant);
    created.add(participant.id);
  }
  linkEarlierContacts(data);
  recordHistory(
    data,
    { actor: "organizer", change: "participants-imported", detail: { imported: created.size, updated } },
    now,
  );
  return { imported: created.size, updated, rejected };
}

/**
 * Someone may have written to the bot in Teams before the list arrived. Their record is merged
 * into the listed participant whose teams_id or email matches, so both are one person.
 */
function linkEarlierContacts(data: DbData): void {
  const listed = data.participants.filter((participant) => participant.onList);
  for (const guest of data.participants.filter((participant) => !participant.onList)) {
    const keys = new Set(
      data.identities
        .filter((identity) => identity.participantId === guest.id && identity.channel === "msteams")
        .map((identity) => identity.key.toLowerCase()),
    );
    const match = listed.find(
      (participant) =>
        (participant.teamsId !== undefined && keys.has(participant.teamsId.toLowerCase())) ||
        (participant.email !== undefined && guest.email?.toLowerCase() === participant.email.toLowerCase()),
    );
    if (match) mergeInto(data, guest.id, match.id);
  }
}
