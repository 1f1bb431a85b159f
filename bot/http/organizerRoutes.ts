import type { Request, Response, Server } from "restify";
import { z } from "zod";
import type { Assembly } from "../assembly/load.js";
import { attendanceReport, type AttendanceRow } from "../domain/attendance.js";
import { eraseParticipant } from "../domain/erasure.js";
import { answerInboxItem, listInbox } from "../domain/inbox.js";
import type { ReloadResult } from "../domain/assemblyReload.js";
import { sendInvitations } from "../domain/invitations.js";
import { isQuiet } from "../domain/reminderPlan.js";
import { reminderReport } from "../domain/reminderReport.js";
import { sendSessionReminders } from "../domain/reminders.js";
import {
  decodeCsv,
  ImportError,
  importParticipants,
  parseParticipantCsv,
} from "../domain/participantImport.js";
import { toE164 } from "../domain/organizers.js";
import type { Language, Translate } from "../i18n/i18n.js";
import type { Logger } from "../logger.js";
import type { DeliveryDeps } from "../outbound/outbound.js";
import { maskPhone } from "../logger.js";
import { HttpError, parseOrThrow, readJsonBody, readRawBody, requireContentType } from "./body.js";
import { sendCsv, toExcelCsv } from "./csv.js";
import { requireOrganizer } from "./organizerAuth.js";
import { guarded, sendJson, type Handler } from "./respond.js";

export interface OrganizerRouteDeps extends DeliveryDeps {
  server: Server;
  logger: Logger;
  assembly: Assembly;
  translate: (language: Language) => Translate;
  token?: string;
  reloadAssembly: () => Promise<ReloadResult>;
}

const replySchema = z.object({
  text: z.string().trim().min(1, "text is empty").max(1000, "text is longer than 1000 characters"),
});
const inboxQuery = z.looseObject({ status: z.enum(["open", "answered"]).optional() });
const participantQuery = z.looseObject({ phone: z.string().max(40).optional() });
const reminderQuery = z.looseObject({ sessionId: z.string().max(100).optional() });
/** `?force=true`: an organizer's send goes out in the quiet hours too. */
const force = z.enum(["true", "false"]).optional();
const invitationQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  force,
});
const manualSendQuery = z.looseObject({ force });

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

/** The organizers' HTTP API. Every route needs the bearer token. */
export function registerOrganizerRoutes(deps: OrganizerRouteDeps): void {
  const { server, logger, store } = deps;
  const route = (name: string, handler: Handler) =>
    guarded(logger, name, async (req: Request, res: Response) => {
      requireOrganizer(req, deps.token);
      await handler(req, res);
    });
  // Invitations and reminders run one at a time, so a double click cannot send anything twice.
  let sending: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const run = sending.then(task);
    sending = run.catch(() => undefined);
    return run;
  };

  /**
   * A manual send in the quiet hours needs `?force=true`: without it the answer is 409 and
   * nothing goes out, so no one is woken by a click made late in the evening. Returns whether
   * the request was refused (and answered).
   */
  const refusedInQuietHours = (res: Response, forced: "true" | "false" | undefined): boolean => {
    const { quietHours } = deps.assembly.reminders;
    if (forced === "true" || !isQuiet(deps.clock(), quietHours, deps.assembly.timeZone)) return false;
    sendJson(res, 409, {
      error: "quiet-hours",
      message: deps.translate("da")("organizer.quietHours", quietHours),
      quietHours,
    });
    return true;
  };

  server.post(
    "/api/organizer/participants",
    route("organizer-import", async (req, res) => {
      requireContentType(req, "text/csv");
      let parsed;
      try {
        parsed = parseParticipantCsv(decodeCsv(await readRawBody(req, 10 * 1024 * 1024)));
      } catch (error) {
        if (error instanceof ImportError) throw new HttpError(400, error.message);
        throw error;
      }
      const { rows, rejected } = parsed;
      const result = await store.update((data) =>
        importParticipants(data, { rows, now: deps.clock(), secret: store.secret }),
      );
      const allRejected = [...rejected, ...result.rejected].sort((a, b) => a.row - b.row);
      sendJson(res, 200, { imported: result.imported, updated: result.updated, rejected: allRejected });
    }),
  );

  server.get(
    "/api/organizer/participants",
    route("organizer-participants", async (req, res) => {
      // ?phone= finds anyone with that number, also people who only wrote in (to erase them).
      const { phone } = parseOrThrow(participantQuery, req.query ?? {});
      const wanted = phone === undefined ? undefined : (toE164(phone) ?? phone);
      const participants = store.data.participants
        .filter((participant) => (wanted === undefined ? participant.onList : participant.phone === wanted))
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
      const erased = await store.update((data) =>
        eraseParticipant(data, {
          participantId: id,
          actor: "organizer",
          now: deps.clock(),
          secret: store.secret,
        }),
      );
      if (!erased) throw new HttpError(404, "no participant with that id");
      await store.compact();
      sendJson(res, 200, { erased: true });
    }),
  );

  server.post(
    "/api/organizer/invitations",
    route("organizer-invitations", async (req, res) => {
      const { limit, force } = parseOrThrow(invitationQuery, req.query ?? {});
      if (refusedInQuietHours(res, force)) return;
      sendJson(res, 200, await oneAtATime(() => sendInvitations(deps, { limit })));
    }),
  );

  server.post(
    "/api/organizer/sessions/:id/reminders",
    route("organizer-reminders", async (req, res) => {
      const { force } = parseOrThrow(manualSendQuery, req.query ?? {});
      const session = deps.assembly.sessions.find((candidate) => candidate.id === String(req.params.id));
      // An unknown or past session is refused as such, at any hour.
      if (session && session.end > deps.clock() && refusedInQuietHours(res, force)) return;
      const result = await oneAtATime(() => sendSessionReminders(deps, String(req.params.id)));
      if (result.status === "unknown-session") throw new HttpError(404, "no session with that id");
      if (result.status === "session-over") throw new HttpError(409, "the session is over");
      sendJson(res, 200, { sent: result.sent, skipped: result.skipped });
    }),
  );

  server.post(
    "/api/organizer/reload",
    route("organizer-reload", async (_req, res) => {
      const result = await deps.reloadAssembly();
      // 422: the request was fine, the file it points at is not; the old one stays in force.
      if (result.status === "invalid") {
        sendJson(res, 422, {
          error: "invalid-assembly-file",
          message: result.message,
          problems: result.problems,
        });
        return;
      }
      sendJson(res, 200, { sessions: result.sessions, changes: result.changes });
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
    "/api/organizer/reminders",
    route("organizer-reminders-list", async (req, res) => {
      const { sessionId } = parseOrThrow(reminderQuery, req.query ?? {});
      sendList(req, res, {
        key: "reminders",
        items: reminderReport(deps.assembly, store.data, { sessionId }),
        file: "paamindelser.csv",
        columns: [
          ["session", (row) => row.sessionId],
          ["kind", (row) => row.kind],
          ["participant_id", (row) => row.participantId],
          ["name", (row) => row.name],
          ["status", (row) => row.status],
          ["planned_for", (row) => row.plannedFor],
          ["due_at", (row) => row.dueAt],
          ["updated_at", (row) => row.updatedAt],
          ["reason", (row) => row.reason],
          ["channel", (row) => row.channel],
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
          ["attempts", (m) => m.attempts],
          ["fallback_from", (m) => m.fallbackFrom],
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
      const items = listInbox(store.data, parseOrThrow(inboxQuery, req.query ?? {}));
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
      const body = parseOrThrow(replySchema, await readJsonBody(req));
      const result = await answerInboxItem(deps, {
        id: String(req.params.id),
        text: body.text,
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
