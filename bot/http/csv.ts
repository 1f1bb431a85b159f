import { stringify } from "csv-stringify/sync";
import type { Response } from "restify";

/**
 * A cell starting with = + - @ (or a tab or carriage return) is run as a formula by Excel;
 * a leading apostrophe makes it text. Names and messages come from members, so every cell
 * is neutralised.
 */
export function neutralizeCell(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** CSV the way Danish Excel opens it: UTF-8 with BOM, ";" between cells, CRLF line ends. */
export function toExcelCsv(header: string[], rows: unknown[][]): string {
  return `\uFEFF${stringify(
    [header, ...rows].map((row) => row.map(neutralizeCell)),
    { delimiter: ";", record_delimiter: "windows" },
  )}`;
}

export function sendCsv(res: Response, filename: string, csv: string): void {
  res.status(200);
  res.setHeader("content-type", "text/csv; charset=utf-8");
  res.setHeader("content-disposition", `attachment; filename="${filename}"`);
  res.end(csv);
}
