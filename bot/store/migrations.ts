import { SCHEMA_VERSION } from "./schema.js";

/**
 * Upgrades a data file written by an older borgerbot. Each step takes the data of version n
 * and returns version n + 1; add one here whenever SCHEMA_VERSION goes up.
 */
const STEPS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {
  // v2: the inbound journal replaces the list of handled MessageSids.
  1: ({ smsSeen, ...data }) => ({
    ...data,
    inbound: ((smsSeen ?? []) as { sid: string; at: string }[]).map((seen) => ({
      sid: seen.sid,
      channel: "sms",
      receivedAt: seen.at,
      status: "done",
      attempts: 1,
      doneAt: seen.at,
    })),
  }),
};

export function migrate(file: string, raw: unknown): { data: unknown; migrated: boolean } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`store: ${file} does not hold a borgerbot data object`);
  }
  let data = raw as Record<string, unknown>;
  const version = data.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new Error(`store: ${file} has no valid schemaVersion (found ${JSON.stringify(version)})`);
  }
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `store: ${file} has schemaVersion ${version}, but this borgerbot reads up to ${SCHEMA_VERSION}. Upgrade borgerbot.`,
    );
  }
  for (let from = version; from < SCHEMA_VERSION; from++) {
    const step = STEPS[from];
    if (!step) throw new Error(`store: no migration from schemaVersion ${from}`);
    data = { ...step(data), schemaVersion: from + 1 };
  }
  return { data, migrated: version !== SCHEMA_VERSION };
}
