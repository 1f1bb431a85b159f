import type { Assembly } from "./load.js";

/**
 * Puts `next` in force in place of `current`, in the same object. The dialogs, the organizer
 * routes and the scheduler were each given this one object at start and read it afresh on every
 * turn, request and tick, so a reload reaches all of them at once, with no getter to thread
 * through every file. Nothing may keep a part of it (its sessions, say) beyond one call.
 */
export function replaceAssembly(current: Assembly, next: Assembly): void {
  // A field the new file leaves out (a deadline, say) must not survive from the old one.
  for (const key of Object.keys(current)) if (!(key in next)) Reflect.deleteProperty(current, key);
  Object.assign(current, next);
}
