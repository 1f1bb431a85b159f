import type { TurnContext } from "botbuilder";
import type { Language } from "../bot/i18n/i18n.js";
import type { Participant } from "../bot/store/schema.js";

/** Who is writing in this turn, resolved once by the bot before any dialog runs. */
export interface MemberTurn {
  participant: Participant;
  channel: string;
  isOrganizer: boolean;
  language: Language;
  /** Set when the member was erased in this turn: the bot must not save their state again. */
  erased?: boolean;
}

const MEMBER_TURN_KEY = Symbol("memberTurn");

export function setMemberTurn(context: TurnContext, member: MemberTurn): void {
  context.turnState.set(MEMBER_TURN_KEY, member);
}

export function tryGetMemberTurn(context: TurnContext): MemberTurn | undefined {
  return context.turnState.get(MEMBER_TURN_KEY) as MemberTurn | undefined;
}

export function getMemberTurn(context: TurnContext): MemberTurn {
  const member = tryGetMemberTurn(context);
  if (!member) throw new Error("memberTurn: the bot did not resolve the member before the dialog ran");
  return member;
}
