import type { Session } from "../assembly/load.js";
import { formatKroner, formatShortDate } from "../format/danishTime.js";
import { foldDanish } from "../nlu/normalize.js";
import type { MessageContext } from "./context.js";
import { localized } from "./localized.js";
import type { Reply } from "./reply.js";
import { joinList, sessionWhen } from "./sessions.js";

type Info = MessageContext["assembly"]["info"];

export interface MemberSchedule {
  /** Sessions the member has said they cannot come to. */
  absentSessionIds: ReadonlySet<string>;
}

/** FAQ topics answered straight from one text in the assembly file's `info`. */
const INFO_TOPICS: Record<string, keyof Info> = {
  "faq.food": "food",
  "faq.childcare": "childcare",
  "faq.accessibility": "accessibility",
  "faq.preparation": "preparation",
  "faq.absence_policy": "absence",
  "faq.selection": "selection",
  "faq.about": "about",
  "faq.outcome": "outcome",
  "faq.privacy": "privacy",
  "faq.language": "language",
};

/**
 * Answers a FAQ intent from the assembly's own content. Returns null when the file says nothing
 * on the topic: the caller then hands the question to the organizers rather than guess.
 */
export function answerFaq(
  intent: string,
  question: string,
  ctx: MessageContext,
  member: MemberSchedule,
): Reply | null {
  const infoKey = INFO_TOPICS[intent];
  if (infoKey) return infoReply(ctx, infoKey);
  switch (intent) {
    case "faq.schedule":
      return scheduleReply(ctx, member);
    case "faq.location":
      return locationReply(ctx, member);
    case "faq.transport":
      return infoReply(ctx, transportTopic(question));
    case "faq.compensation":
      return compensationReply(ctx);
    case "faq.tax_benefits":
      return { text: ctx.t("faq.taxBenefits", { contact: contactLine(ctx) }) };
    case "faq.contact":
      return { text: ctx.t("faq.contact", { contact: contactLine(ctx) }) };
    default:
      return null;
  }
}

function infoReply(ctx: MessageContext, key: keyof Info): Reply | null {
  const text = ctx.assembly.info[key];
  return text ? { text: localized(text, ctx.language) } : null;
}

/**
 * faq.transport covers getting there, parking and travel costs, each its own text in the
 * file; the words of the question pick which one answers it.
 */
function transportTopic(question: string): keyof Info {
  const words = foldDanish(question);
  if (/park|p-plads|p-hus|bil\b/.test(words)) return "parking";
  if (/kørepenge|kørsel|godtgør|refu|betal|billet|pris|koste|km\b|penge|cost|pay/.test(words))
    return "travelCosts";
  return "transport";
}

function upcomingSessions(ctx: MessageContext): Session[] {
  return ctx.assembly.sessions.filter((session) => session.end > ctx.now);
}

function nextSessionFor(ctx: MessageContext, member: MemberSchedule): Session | undefined {
  return upcomingSessions(ctx).find((session) => !member.absentSessionIds.has(session.id));
}

function scheduleReply(ctx: MessageContext, member: MemberSchedule): Reply {
  const upcoming = upcomingSessions(ctx);
  const next = upcoming[0];
  if (!next) return { text: ctx.t("faq.schedule.over") };
  const mine = nextSessionFor(ctx, member);
  const dates = joinList(
    upcoming.map((session) =>
      formatShortDate(session.start, {
        language: ctx.language,
        timeZone: ctx.assembly.timeZone,
        now: ctx.now,
      }),
    ),
    ctx,
  );
  const values = { when: sessionWhen(next, ctx), venue: next.venue.name, dates, count: upcoming.length };
  if (mine === next) return { text: ctx.t("faq.schedule.next", values) };
  if (!mine) return { text: ctx.t("faq.schedule.absentFromAll", values) };
  return {
    text: ctx.t("faq.schedule.nextAfterAbsence", {
      ...values,
      mine: sessionWhen(mine, ctx),
      myVenue: mine.venue.name,
    }),
  };
}

function locationReply(ctx: MessageContext, member: MemberSchedule): Reply {
  const session = nextSessionFor(ctx, member) ?? upcomingSessions(ctx)[0];
  const venue = session?.venue ?? ctx.assembly.venue;
  const values = {
    venue: venue.name,
    address: venue.address,
    when: session ? sessionWhen(session, ctx) : "",
  };
  const key = session ? "faq.location.next" : "faq.location.general";
  const directions = venue.directions ? localized(venue.directions, ctx.language) : undefined;
  return { text: directions ? ctx.t(`${key}WithDirections`, { ...values, directions }) : ctx.t(key, values) };
}

function compensationReply(ctx: MessageContext): Reply | null {
  const compensation = ctx.assembly.compensation;
  if (!compensation) return null;
  const amount = formatKroner(compensation.amountPerSession);
  return compensation.details
    ? {
        text: ctx.t("faq.compensationWithDetails", {
          amount,
          details: localized(compensation.details, ctx.language),
        }),
      }
    : { text: ctx.t("faq.compensation", { amount }) };
}

function contactLine(ctx: MessageContext): string {
  const { name, phone, email } = ctx.assembly.contact;
  if (phone && email) return ctx.t("faq.contactLine.phoneAndEmail", { name, phone, email });
  if (phone) return ctx.t("faq.contactLine.phone", { name, phone });
  if (email) return ctx.t("faq.contactLine.email", { name, email });
  return name;
}
