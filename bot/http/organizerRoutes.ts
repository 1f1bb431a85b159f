import type { Request, Response, Server } from "restify";
import { z } from "zod";
import type { Assembly } from "../assembly/load.js";
import { attendanceReport, type AttendanceRow } from "../domain/attendance.js";
import { eraseParticipant } from "../domain/erasure.js";
import { answerInboxItem, listInbox, type AnswerDeps } from "../domain/inbox.js";
import type { DeliveryDeps } from "../domain/delivery.js";
import { sendInvitations } from "../domain/invitations.js";
import { sendSessionReminders } from "../domain/reminders.js";
import {
  decodeCsv,
  ImportError,
  importParticipants,
  parseParticipantCsv,
} from "../domain/participantImport.js";
import type { Logger } from "../logger.js";
import { maskPhone } from "../logger.js";
import { HttpError, readJsonBody, readRawBody } from "./body.js";
import { sendCsv, toExcelCsv } from "./csv.js";
import { requireOrganizer } from "./organizerAuth.js";
import { guarded, sendJson, type Handler } from "./respond.js";

export interface OrganizerRouteDeps extends AnswerDeps, DeliveryDeps {
  server: Server;
  logger: Logger;
  assembly: Assembly;
  token?: string;
}

const replySchema = z.object({
  text: z.string().trim().min(1, "text is empty").max(1000, "text is longer than 1000 characters"),
});
const inboxQuery = z.looseObject({ status: z.enum(["open", "answered"]).optional() });
const invitationQuery = z.looseObject({ limit: z.coerce.number().int().min(1).max(10_000).optional() });

/** Phone numbers keep their country code and last two digits; chat ids their first four characters. */
function maskRecipient(to: string): string {
  if (to.startsWith("+")) return maskPhone(to);
  return to.length > 4 ? `${to.slice(0, 4)}****` : to;
}

type Column<T> = [header: string, value: (item: T) => unknown];

/** A list as JSON, or with ?format=csv as a CSV for Danish Excel with the given columns. */
function sendList<T>(
  req: Request,
  res: Response,
  list: { key: string; items: T[]; file: string; columns: Array<Column<T>>; json?: Record<string, unknown> },
): void {
  if ((req.query as { format?: string } | undefined)?.format !== "csv") {
    sendJson(res, 200, { ...list.json, [list.key]: list.items });
    return;
  }
  const header = list.columns.map(([name]) => name);
  const rows = list.items.map((item) => list.columns.map(([, value]) => value(item)));
  sendCsv(res, list.file, toExcelCsv(header, rows));
}

function query<T>(schema: z.ZodType<T>, req: Request): T {
  const parsed = schema.safeParse(req.query ?? {});
  if (!parsed.success)
    throw new HttpError(
      400,
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
    );
  return parsed.data;
}

/** The organizers' HTTP API. Every route needs the bearer token. */
export function registerOrganizerRoutes(deps: OrganizerRouteDeps): void {
  const { server, logger, store } = deps;
  const route = (name: string, handler: Handler) =>
    guarded(logger, name, async (req: Request, res: Response) => {
      requireOrganizer(req, deps.token);
      await handler(req, res);
    });
  // Invitations run one batch at a time, so a double click cannot invite anyone twice.
  let invitationsRunning: Promise<unknown> = Promise.resolve();

  server.post(
    "/api/organizer/participants",
    route("organizer-import", async (req, res) => {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "text/csv") throw new HttpError(415, "content-type must be text/csv");
      let parsed;
      try {
        parsed = parseParticipantCsv(decodeCsv(await readRawBody(req, 10 * 1024 * 1024)));
      } catch (error) {
        if (error instanceof ImportError) throw new HttpError(400, error.message);
        throw error;
      }
      const { rows, rejected } = parsed;
      const counts = await store.update((data) => importParticipants(data, rows, deps.clock()));
      sendJson(res, 200, { ...counts, rejected });
    }),
  );

  server.get(
    "/api/organizer/participants",
    route("organizer-participants", async (req, res) => {
      const participants = store.data.participants
        .filter((participant) => participant.onList)
        .map(({ id, name, phone, email, language, invitation, optedOut, needs, createdAt }) => ({
          id,
          name,
          phone,
          email,
          language,
          invitation,
          optedOut,
          needs,
          createdAt,
        }));
      sendList(req, res, {
        key: "participants",
        items: participants,
        file: "deltagere.csv",
        columns: [
          ["id", (p) => p.id],
          ["name", (p) => p.name],
          ["phone", (p) => p.phone],
          ["email", (p) => p.email],
          ["language", (p) => p.language],
          ["invitation", (p) => p.invitation],
          ["opted_out", (p) => (p.optedOut ? "ja" : "nej")],
          ["needs", (p) => p.needs],
        ],
      });
    }),
  );

  server.del(
    "/api/organizer/participants/:id",
    route("organizer-erase", async (req, res) => {
      const id = String(req.params.id);
      const erased = await store.update((data) => eraseParticipant(data, id, deps.clock(), "organizer"));
      if (!erased) throw new HttpError(404, "no participant with that id");
      sendJson(res, 200, { erased: true });
    }),
  );

  server.post(
    "/api/organizer/invitations",
    route("organizer-invitations", async (req, res) => {
      const { limit } = query(invitationQuery, req);
      const run = invitationsRunning.then(() => sendInvitations(deps, { limit }));
      invitationsRunning = run.catch(() => undefined);
      sendJson(res, 200, await run);
    }),
  );

  server.post(
    "/api/organizer/sessions/:id/reminders",
    route("organizer-reminders", async (req, res) => {
      const result = await sendSessionReminders(deps, String(req.params.id));
      if (result.status === "unknown-session") throw new HttpError(404, "no session with that id");
      if (result.status === "session-over") throw new HttpError(409, "the session is over");
      sendJson(res, 200, { sent: result.sent, skipped: result.skipped });
    }),
  );

  server.get(
    "/api/organizer/attendance",
    route("organizer-attendance", async (req, res) => {
      const rows = attendanceReport(store.data, deps.assembly);
      const sessionIds = deps.assembly.sessions.map((session) => session.id);
      sendList(req, res, {
        key: "participants",
        items: rows,
        file: "fremmoede.csv",
        json: { sessions: deps.assembly.sessions.map(({ id, start, end }) => ({ id, start, end })) },
        columns: [
          ["id", (row) => row.id],
          ["name", (row) => row.name],
          ["phone", (row) => row.phone],
          ["invitation", (row) => row.invitation],
          ...sessionIds.map((id): Column<AttendanceRow> => [id, (row) => row.sessions[id]]),
          ...sessionIds.map((id): Column<AttendanceRow> => [`reason_${id}`, (row) => row.reasons[id]]),
          ["needs", (row) => row.needs],
        ],
      });
    }),
  );

  server.get(
    "/api/organizer/outbox",
    route("organizer-outbox", async (req, res) => {
      const messages = [...store.data.outbox]
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((message) => ({
          ...message,
          to: maskRecipient(message.to),
        }));
      sendList(req, res, {
        key: "messages",
        items: messages,
        file: "udbakke.csv",
        columns: [
          ["id", (m) => m.id],
          ["to", (m) => m.to],
          ["channel", (m) => m.channel],
          ["purpose", (m) => m.purpose],
          ["status", (m) => m.status],
          ["provider_id", (m) => m.providerId],
          ["error", (m) => m.error],
          ["text", (m) => m.text],
          ["created_at", (m) => m.createdAt],
          ["updated_at", (m) => m.updatedAt],
        ],
      });
    }),
  );

  server.get(
    "/api/organizer/inbox",
    route("organizer-inbox", async (req, res) => {
      const items = listInbox(store.data, query(inboxQuery, req));
      sendList(req, res, {
        key: "items",
        items,
        file: "indbakke.csv",
        columns: [
          ["id", (i) => i.id],
          ["name", (i) => i.member.name],
          ["phone", (i) => i.member.phone],
          ["channel", (i) => i.channel],
          ["reason", (i) => i.reason],
          ["status", (i) => i.status],
          ["text", (i) => i.text],
          ["answer", (i) => i.answer],
          ["created_at", (i) => i.createdAt],
          ["answered_at", (i) => i.answeredAt],
        ],
      });
    }),
  );

  server.post(
    "/api/organizer/inbox/:id/reply",
    route("organizer-inbox-reply", async (req, res) => {
      const body = replySchema.safeParse(await readJsonBody(req));
      if (!body.success) throw new HttpError(400, body.error.issues.map((issue) => issue.message).join("; "));
      const result = await answerInboxItem(deps, {
        id: String(req.params.id),
        text: body.data.text,
        organizer: "api",
      });
      if (result.status === "not-found") throw new HttpError(404, "no inbox item with that id");
      if (result.status === "already-answered") throw new HttpError(409, "the item is already answered");
      if (result.status === "delivery-failed")
        throw new HttpError(502, `the answer could not be sent: ${result.error}`);
      sendJson(res, 200, { item: result.item });
    }),
  );
}
