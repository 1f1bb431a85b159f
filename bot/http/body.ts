import type { IncomingMessage } from "node:http";
import type { z } from "zod";

export const MAX_BODY_BYTES = 256 * 1024;
/** Deeper than any activity or form we read; far shallower than what overflows a recursive walk. */
export const MAX_JSON_DEPTH = 32;

/** An error with the HTTP status and a message that is safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function requireContentType(req: IncomingMessage, expectedType: string): void {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (contentType !== expectedType) throw new HttpError(415, `content-type must be ${expectedType}`);
}

/** Input checked against a schema; what is wrong becomes a 400 that names the field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new HttpError(
      400,
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "),
    );
  }
  return parsed.data;
}

/** Reads the body bytes, refusing more than `limit` before reading them all into memory. */
export async function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `body is larger than ${limit} bytes`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a request body as strict UTF-8. restify's bodyReader decodes leniently, turning
 * invalid bytes into U+FFFD without telling us; here they are a 400.
 */
export async function readTextBody(req: IncomingMessage, expectedType: string): Promise<string> {
  requireContentType(req, expectedType);
  const bytes = await readRawBody(req);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "body is not valid UTF-8");
  }
}

/**
 * How deeply arrays and objects nest in JSON text, counted by scanning it once without
 * recursion: every later walk of the parsed value (zod, structuredClone, the store's writes)
 * recurses and would overflow the stack on the 20,000 levels a fuzzer sends.
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") {
      if (++depth > maxDepth) return true;
    } else if (char === "}" || char === "]") depth--;
  }
  return false;
}

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readTextBody(req, "application/json");
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, `body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, "body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** A form post as a plain object; a repeated field keeps its last value, as Twilio never repeats one. */
export async function readFormBody(req: IncomingMessage): Promise<Record<string, string>> {
  const text = await readTextBody(req, "application/x-www-form-urlencoded");
  const form = Object.fromEntries(new URLSearchParams(text));
  // Percent-encoded bytes that are not UTF-8 decode to U+FFFD instead of failing.
  if (!text.includes("\uFFFD") && Object.values(form).some((value) => value.includes("\uFFFD"))) {
    throw new HttpError(400, "form field is not valid UTF-8");
  }
  return form;
}
