import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "restify";
import { HttpError } from "./body.js";

/**
 * Checks `Authorization: Bearer <ORGANIZER_TOKEN>` in constant time. Both sides are hashed
 * first so the comparison does not leak the token's length either.
 */
export function requireOrganizer(req: Request, token: string | undefined): void {
  if (!token) throw new HttpError(503, "the organizer API is closed: set ORGANIZER_TOKEN to open it");
  const header = req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (!match || !timingSafeEqual(digest(match[1]!.trim()), digest(token))) {
    throw new HttpError(401, "missing or wrong organizer token");
  }
}
