import type { Patch } from "immer";
import { dbSchema, rowSchemas, type DbData } from "./schema.js";

/**
 * Checks the rows a commit touched against the schema the next start reads them with, so the
 * store never writes what it cannot read back. Checking only touched rows keeps the cost to
 * the size of the change.
 */
export function validateChanges(next: DbData, patches: Patch[]): void {
  const touched = new Map<string, Set<string | number> | "all">();
  for (const { path } of patches) {
    const [table, key] = path;
    if (typeof table !== "string") continue;
    const keys = touched.get(table);
    if (key === undefined || !(table in rowSchemas)) touched.set(table, "all");
    else if (keys !== "all") touched.set(table, (keys ?? new Set()).add(key));
  }
  const problems: string[] = [];
  for (const [table, keys] of touched) {
    const value = (next as unknown as Record<string, unknown>)[table];
    if (keys === "all") {
      const schema = dbSchema.shape[table as keyof typeof dbSchema.shape] as
        (typeof dbSchema.shape)[keyof typeof dbSchema.shape] | undefined;
      if (!schema) problems.push(`${table}: not a table of the data file`);
      else collect(problems, table, schema.safeParse(value));
      continue;
    }
    const rowSchema = rowSchemas[table as keyof typeof rowSchemas];
    const rows = value as Record<string | number, unknown>;
    for (const key of keys) {
      // A row removed by the change has nothing left to check.
      if (rows[key] !== undefined) collect(problems, `${table}.${key}`, rowSchema.safeParse(rows[key]));
    }
  }
  if (problems.length > 0) {
    throw new InvalidChange(
      `store: refused a change the data file could not be read back with:\n  - ${problems.slice(0, 5).join("\n  - ")}`,
    );
  }
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
