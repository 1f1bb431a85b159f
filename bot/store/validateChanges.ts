import type { Patch } from "immer";
import { CHUNKED_TABLES, dbSchema, rowSchemas, type DbData } from "./schema.js";
import type { Table } from "./table.js";

const chunked = new Set<string>(CHUNKED_TABLES);

/**
 * Checks the rows a commit touched against the schema the next start reads them with, so the
 * store never writes what it cannot read back. Checking only touched rows keeps the cost to
 * the size of the change.
 */
export function validateChanges(next: DbData, patches: Patch[]): void {
  const problems: string[] = [];
  const tables = next as unknown as Record<string, unknown>;
  const seen = new Set<string>();
  for (const { path } of patches) {
    const [table] = path;
    if (typeof table !== "string") continue;
    // The log would replay a replaced table as plain arrays, without its methods.
    if (chunked.has(table) && path.length === 1) {
      problems.push(`${table}: a table is changed row by row, never replaced`);
      continue;
    }
    const rows = touchedRows(tables[table], path);
    if (rows === "all") {
      if (seen.has(table)) continue;
      seen.add(table);
      const schema = dbSchema.shape[table as keyof typeof dbSchema.shape] as
        (typeof dbSchema.shape)[keyof typeof dbSchema.shape] | undefined;
      if (!schema) problems.push(`${table}: not a table of the data file`);
      else collect(problems, table, schema.safeParse(toDisk(tables[table])));
      continue;
    }
    const rowSchema = rowSchemas[table as keyof typeof rowSchemas];
    for (const [where, row] of rows) {
      const key = `${table}.${where}`;
      // A row removed by the change has nothing left to check.
      if (row === undefined || seen.has(key)) continue;
      seen.add(key);
      collect(problems, key, rowSchema.safeParse(row));
    }
  }
  if (problems.length > 0) {
    throw new InvalidChange(
      `store: refused a change the data file could not be read back with:\n  - ${problems.slice(0, 5).join("\n  - ")}`,
    );
  }
}

/** The rows under a patch's path, by where they sit; "all" when the patch replaced the table. */
function touchedRows(value: unknown, path: Patch["path"]): Array<[string, unknown]> | "all" {
  const [table, ...rest] = path as [string, ...(string | number)[]];
  if (!(table in rowSchemas) || rest.length === 0) return "all";
  if (!chunked.has(table)) {
    const key = rest[0]!;
    return [[String(key), (value as Record<string | number, unknown>)[key]]];
  }
  // A table's path is ["chunks", chunk, row, ...]; a whole new chunk brings all its rows.
  const [, chunkIndex, rowIndex] = rest;
  if (chunkIndex === undefined) return "all";
  const { chunks } = value as Table<object>;
  const chunk = chunks[chunkIndex as number] ?? [];
  // Named by the row's place in the whole table, as a person reading the file counts.
  let first = 0;
  for (let index = 0; index < (chunkIndex as number); index++) first += chunks[index]?.length ?? 0;
  if (rowIndex === undefined) return chunk.map((row, index) => [String(first + index), row]);
  return [[String(first + (rowIndex as number)), chunk[rowIndex as number]]];
}

/** A table as it is written: its chunks, which is what the table schema reads. */
function toDisk(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

export class InvalidChange extends Error {}

function collect(
  problems: string[],
  where: string,
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
): void {
  for (const issue of result.error?.issues ?? []) {
    problems.push([where, ...issue.path.map(String)].join(".") + `: ${issue.message}`);
  }
}
