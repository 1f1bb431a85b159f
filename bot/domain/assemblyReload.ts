import {
  AssemblyFileError,
  chooseDemoAnchor,
  readAssemblyFile,
  resolveAssembly,
  type Assembly,
} from "../assembly/load.js";
import type { AssemblyFile } from "../assembly/schema.js";
import { replaceAssembly } from "../assembly/replaceAssembly.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/store.js";
import { recordScheduleChanges } from "./sessionChanges.js";

export interface AssemblyReloadDeps {
  /** The assembly file, read again on each reload. */
  file: string;
  store: Store;
  /** The assembly in force; a reload replaces its contents. */
  assembly: Assembly;
  clock: () => Date;
  logger: Logger;
  /** Resolves once no scheduler tick is under way: one planned from the old file could still send. */
  betweenTicks: () => Promise<void>;
  /** Plans again and sends what the new file makes due. */
  tick: () => Promise<unknown>;
}

export type ReloadResult =
  | { status: "reloaded"; sessions: number; changes: number }
  | { status: "invalid"; message: string; problems: string[] };

/** The demo's sessions move forward with time; the anchor is kept in the store so they stay put between restarts. */
export async function loadAssembly(file: string, store: Store, clock: () => Date): Promise<Assembly> {
  return resolveInStore(await readAssemblyFile(file), store, clock);
}

async function resolveInStore(
  assemblyFile: AssemblyFile,
  store: Store,
  clock: () => Date,
): Promise<Assembly> {
  const { meta } = store.data;
  const anchor = chooseDemoAnchor(assemblyFile, new Date(meta.createdAt), clock(), meta.demoAnchor);
  if (anchor !== meta.demoAnchor) await store.update((data) => void (data.meta.demoAnchor = anchor));
  return resolveAssembly(assemblyFile, anchor);
}

/**
 * Reads the assembly file again and, if it is valid, puts it in force everywhere at once, as a
 * restart would: moved and cancelled sessions get their notices, and the scheduler plans again.
 * A file that is not valid changes nothing. Reloads run one at a time.
 */
export function createAssemblyReload(deps: AssemblyReloadDeps): () => Promise<ReloadResult> {
  let reloading: Promise<unknown> = Promise.resolve();

  async function reload(): Promise<ReloadResult> {
    let assemblyFile: AssemblyFile;
    try {
      assemblyFile = await readAssemblyFile(deps.file);
    } catch (error) {
      if (!(error instanceof AssemblyFileError)) throw error;
      return { status: "invalid", message: error.message, problems: error.problems };
    }
    const next = await resolveInStore(assemblyFile, deps.store, deps.clock);
    // A tick planned from the old file may be about to send a reminder for a session's old time.
    await deps.betweenTicks();
    // In force before the changes are recorded, so a tick in between plans from the new file.
    // A record that fails (a full disk) is found again by the next reload or start.
    replaceAssembly(deps.assembly, next);
    const changes = await deps.store.update((data) => recordScheduleChanges(data, next, deps.clock()));
    deps.logger.info({ sessions: next.sessions.length, changes }, "the assembly file was reloaded");
    await deps.tick();
    return { status: "reloaded", sessions: next.sessions.length, changes };
  }

  return () => {
    const run = reloading.then(reload);
    reloading = run.catch(() => undefined);
    return run;
  };
}
