import type { TurnContext } from "botbuilder";
import { TZDate } from "@date-fns/tz";
import type { Session } from "../bot/assembly/load.js";
import { setAttendance, setInvitation, absentSessionIds } from "../bot/domain/attendance.js";
import { addHandoff } from "../bot/domain/handoff.js";
import { mustFindParticipant } from "../bot/domain/participants.js";
import { formatDay, formatShortDate, localDateOf } from "../bot/format/danishTime.js";
import type { MessageContext } from "../bot/messages/context.js";
import { joinList, sessionList, sessionWhen } from "../bot/messages/sessions.js";
import type { Reply } from "../bot/messages/reply.js";
import { extractDates } from "../bot/nlu/dates.js";
import type { Participant } from "../bot/store/schema.js";
import { getMemberTurn, type MemberTurn } from "./memberTurn.js";
import { messageContext } from "./replies.js";
import type { DialogServices } from "./services.js";

export type RsvpIntent = "rsvp.yes" | "rsvp.no" | "rsvp.maybe";

/** What the main dialog does after an RSVP: the replies, and whether to ask about special needs. */
export interface RsvpOutcome {
  replies: Reply[];
  askNeeds: boolean;
}

const say = (...replies: Reply[]): RsvpOutcome => ({ replies, askNeeds: false });

/**
 * Yes, no and maybe, read in the member's context: an open invitation, a session reminder that
 * asked "Kommer du?", or an accepted member telling us about a single session.
 */
export async function handleRsvp(
  context: TurnContext,
  intent: RsvpIntent,
  text: string,
  services: DialogServices,
): Promise<RsvpOutcome> {
  const member = getMemberTurn(context);
  const participant = member.participant;
  const ctx = messageContext(services, context);
  const source = { actor: "member" as const, channel: member.channel };
  const now = services.clock();
  const update = (mutate: Parameters<typeof services.store.update>[0]) => services.store.update(mutate);

  const awaiting =
    participant.awaitingSession &&
    ctx.assembly.sessions.find((s) => s.id === participant.awaitingSession!.sessionId && s.end > now);
  if (participant.invitation === "accepted" && awaiting && intent !== "rsvp.maybe") {
    const status = intent === "rsvp.yes" ? "attending" : "absent";
    return say(
      ...(await applySessionChanges({ member, ctx, now }, [{ session: awaiting, status }], text, services)),
    );
  }

  const pending =
    participant.invitation === "invited" ||
    participant.invitation === "maybe" ||
    (participant.onList && participant.invitation === "none");
  if (pending || participant.invitation === "declined") {
    if (intent === "rsvp.yes") {
      await update((data) => setInvitation(data, participant.id, "accepted", source, now));
      const key = pending ? "rsvp.accepted" : "rsvp.reconsider";
      return {
        replies: [{ text: ctx.t(key, { sessions: joinList(sessionList(ctx), ctx) }) }],
        askNeeds: !participant.needs,
      };
    }
    // "jeg kan ikke d. 26." before answering the invitation is about one session, not all of them.
    if (intent === "rsvp.no" && pending && extractDates(text, now, ctx.assembly.timeZone).length > 0) {
      return reportForSessions({ member, ctx, now }, intent, text, services);
    }
    if (intent === "rsvp.no") {
      await update((data) => setInvitation(data, participant.id, "declined", source, now));
      return say({ text: ctx.t("rsvp.declined") });
    }
    if (pending) await update((data) => setInvitation(data, participant.id, "maybe", source, now));
    return say({
      text: ctx.assembly.rsvpDeadline
        ? ctx.t("rsvp.maybeDeadline", { deadline: deadlineText(ctx) })
        : ctx.t("rsvp.maybe"),
    });
  }

  if (participant.invitation !== "accepted") return say({ text: ctx.t("rsvp.notInvited") });
  if (intent === "rsvp.maybe") return say({ text: ctx.t("rsvp.maybe") });
  return reportForSessions({ member, ctx, now }, intent, text, services);
}

function deadlineText(ctx: MessageContext): string {
  const [year, month, day] = ctx.assembly.rsvpDeadline!.split("-").map(Number) as [number, number, number];
  const noon = new TZDate(year, month - 1, day, 12, 0, ctx.assembly.timeZone);
  return formatDay(new Date(noon.getTime()), {
    language: ctx.language,
    timeZone: ctx.assembly.timeZone,
    now: ctx.now,
  });
}

/**
 * An accepted member says they will or won't come. Named dates pick the sessions ("kan ikke d.
 * 14. men kommer d. 21." is read clause by clause); without a date, an absence is for today's
 * session or the next one, and the organizers are told.
 */
async function reportForSessions(
  turn: { member: MemberTurn; ctx: MessageContext; now: Date },
  intent: "rsvp.yes" | "rsvp.no",
  text: string,
  services: DialogServices,
): Promise<RsvpOutcome> {
  const { member, ctx, now } = turn;
  const participant = member.participant;
  const timeZone = ctx.assembly.timeZone;
  const upcoming = ctx.assembly.sessions.filter((session) => session.end > now);
  const changes: SessionChange[] = [];
  const missingDates: string[] = [];

  for (const clause of text.split(/\b(?:men|but)\b/i)) {
    const dates = extractDates(clause, now, timeZone);
    if (dates.length === 0) continue;
    const clauseIntent = clause === text ? intent : services.classify(clause).intent;
    const status =
      clauseIntent === "rsvp.yes"
        ? "attending"
        : clauseIntent === "rsvp.no"
          ? "absent"
          : intent === "rsvp.yes"
            ? "attending"
            : "absent";
    for (const date of dates) {
      const session = upcoming.find(
        (candidate) => localDateOf(candidate.start, timeZone) === date.slice(0, 10),
      );
      if (session) changes.push({ session, status });
      else missingDates.push(date.slice(0, 10));
    }
  }

  if (changes.length === 0 && missingDates.length === 0) {
    if (intent === "rsvp.yes") {
      const next = upcoming.find(
        (session) => !absentSessionIds(services.store.data, participant.id).has(session.id),
      );
      return say({
        text: next
          ? ctx.t("rsvp.alreadyAccepted", { when: sessionWhen(next, ctx) })
          : ctx.t("attendance.noUpcoming"),
      });
    }
    const today = localDateOf(now, timeZone);
    const session =
      upcoming.find((candidate) => localDateOf(candidate.start, timeZone) === today) ?? upcoming[0];
    if (!session) return say({ text: ctx.t("attendance.noUpcoming") });
    changes.push({ session, status: "absent" });
  }

  const replies = changes.length > 0 ? await applySessionChanges(turn, changes, text, services) : [];
  if (missingDates.length > 0) {
    const date = joinList(
      missingDates.map((d) => formatShortDate(new Date(`${d}T12:00:00Z`), { ...ctx, timeZone })),
      ctx,
    );
    replies.push({
      text: ctx.t("attendance.noSessionOnDate", { date, sessions: joinList(sessionList(ctx), ctx) }),
    });
  }
  return say(...replies);
}

type SessionChange = { session: Session; status: "attending" | "absent" };

/**
 * Records attendance for one or more sessions. An absence also goes to the organizers' inbox
 * and to organizers in Teams. The replies are built only after the change is on disk.
 */
async function applySessionChanges(
  turn: { member: MemberTurn; ctx: MessageContext; now: Date },
  changes: SessionChange[],
  text: string,
  services: DialogServices,
): Promise<Reply[]> {
  const { member, ctx, now } = turn;
  const participant = member.participant;
  await services.store.update((data) => {
    for (const change of changes) {
      setAttendance(
        data,
        {
          participantId: participant.id,
          sessionId: change.session.id,
          status: change.status,
          reason: change.status === "absent" ? text : undefined,
        },
        { actor: "member", channel: member.channel },
        now,
      );
    }
    mustFindParticipant(data, participant.id).awaitingSession = undefined;
    if (changes.some((change) => change.status === "absent")) {
      addHandoff(
        data,
        { participantId: participant.id, channel: member.channel, text, reason: "absence-report" },
        now,
      );
    }
  });
  const replies: Reply[] = [];
  for (const status of ["absent", "attending"] as const) {
    const sessions = changes
      .filter((change) => change.status === status)
      .map((change) => sessionWhen(change.session, ctx));
    if (sessions.length > 0)
      replies.push({ text: ctx.t(`attendance.${status}`, { when: joinList(sessions, ctx) }) });
  }
  await notifyOrganizersOfAbsence(services, participant, ctx, changes, text);
  return replies;
}

async function notifyOrganizersOfAbsence(
  services: DialogServices,
  participant: Participant,
  ctx: MessageContext,
  changes: Array<{ session: Session; status: "attending" | "absent" }>,
  text: string,
): Promise<void> {
  const absences = changes.filter((change) => change.status === "absent");
  if (absences.length === 0) return;
  const organizerCtx = { ...ctx, t: services.translate("da"), language: "da" as const };
  const reply = {
    text: organizerCtx.t("attendance.organizerNotice", {
      who: participant.name ?? participant.phone ?? "?",
      when: joinList(
        absences.map((change) => sessionWhen(change.session, organizerCtx)),
        organizerCtx,
      ),
      text,
    }),
  };
  await services.outbound.notifyOrganizers({
    reply,
    purpose: "absence-notice",
    aboutParticipantId: participant.id,
  });
}
