import { CHUNKED_TABLES, SCHEMA_VERSION } from "./schema.js";
import { Table } from "./table.js";

/**
 * Upgrades a data file written by an older borgerbot. Each step takes the data of version n
 * and returns version n + 1; add one here whenever SCHEMA_VERSION goes up.
 */
const STEPS: Record<number, (data: OlderData) => OlderData> = {
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
  // v3: tables are kept in chunks, so a change copies one chunk instead of a whole table; the
  // dialog state becomes rows that carry their key, like every other table.
  2: (data) => {
    const botState = Object.entries((data.botState ?? {}) as Record<string, object>).map(([key, item]) => ({
      key,
      ...item,
    }));
    const flat: OlderData = { ...data, botState };
    return {
      ...flat,
      ...Object.fromEntries(
        CHUNKED_TABLES.map((name) => [name, Table.of((flat[name] ?? []) as object[]).chunks]),
      ),
    };
  },
};

/**
 * `replayOlder` applies the log to a file of an older version before it is upgraded: the log's
 * changes point into the layout of the version that wrote them. The upgraded data then holds
 * them all (its walSeq says so).
 */
export function migrate(
  file: string,
  raw: unknown,
  replayOlder: (data: OlderData) => { state: OlderData; seq: number },
): { data: unknown; migrated: boolean; replayed?: { seq: number } } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`store: ${file} does not hold a borgerbot data object`);
  }
  let data = raw as OlderData;
  const version = data.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new Error(`store: ${file} has no valid schemaVersion (found ${JSON.stringify(version)})`);
  }
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `store: ${file} has schemaVersion ${version}, but this borgerbot reads up to ${SCHEMA_VERSION}. Upgrade borgerbot.`,
    );
  }
  if (version === SCHEMA_VERSION) return { data, migrated: false };
  data.meta ??= {};
  const { state, seq } = replayOlder(data);
  data = { ...state, meta: { ...state.meta, walSeq: seq } };
  for (let from = version; from < SCHEMA_VERSION; from++) {
    const step = STEPS[from];
    if (!step) throw new Error(`store: no migration from schemaVersion ${from}`);
    data = { ...step(data), schemaVersion: from + 1 };
  }
  return { data, migrated: true, replayed: { seq } };
}

type OlderData = Record<string, unknown> & { meta: { walSeq?: number } };
