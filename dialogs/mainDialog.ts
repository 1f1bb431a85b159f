import type { StatePropertyAccessor, TurnContext } from "botbuilder";
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from "botbuilder-dialogs";
import { messageText } from "../bot/channels/renderReply.js";
import { absentSessionIds, setOptOut } from "../bot/domain/attendance.js";
import { addHandoff, type HandoffReason } from "../bot/domain/handoff.js";
import { mustFindParticipant, recordHistory } from "../bot/domain/participants.js";
import type { Language } from "../bot/i18n/i18n.js";
import { answerFaq } from "../bot/messages/faq.js";
import { greetingReply, helpReply, thanksReply } from "../bot/messages/general.js";
import type { Reply } from "../bot/messages/reply.js";
import { foldDanish } from "../bot/nlu/normalize.js";
import { DELETE_DATA_DIALOG, DeleteDataDialog } from "./deleteDataDialog.js";
import { getMemberTurn } from "./memberTurn.js";
import type { ChildResult } from "./childResult.js";
import { NEEDS_DIALOG, NeedsDialog } from "./needsDialog.js";
import { handleClockCommand } from "./clockCommand.js";
import { handleOrganizerCommand } from "./organizerCommands.js";
import { messageContext, sendReply, sendWelcomeOnce } from "./replies.js";
import { handleRsvp, type RsvpIntent } from "./rsvp.js";
import type { DialogServices } from "./services.js";

export const MAIN_DIALOG = "mainDialog";
const ROUTE_WATERFALL = "mainDialog.route";

/** Longer messages are still passed on whole; only the first part is worth classifying. */
const CLASSIFY_LIMIT = 500;

interface RouteOptions {
  /** A message a child dialog handed back to be routed as new. */
  reroute?: string;
}

/**
 * The root of every conversation: reads what the member wants and answers, or starts the
 * dialog that handles it. Anything it cannot answer from the assembly's content goes to the
 * organizers, because a wrong answer is worse than a handoff.
 */
export class MainDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(MAIN_DIALOG);
    this.addDialog(new NeedsDialog(services));
    this.addDialog(new DeleteDataDialog(services));
    this.addDialog(
      new WaterfallDialog(ROUTE_WATERFALL, [this.routeStep.bind(this), this.afterChildStep.bind(this)]),
    );
    this.initialDialogId = ROUTE_WATERFALL;
  }

  /** Continues the dialog in progress, or starts a new one for this message. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dialogContext = await dialogSet.createContext(context);
    const result = await dialogContext.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dialogContext.beginDialog(this.id);
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = (
      (step.options as RouteOptions | undefined)?.reroute ?? messageText(step.context.activity)
    ).trim();
    const member = getMemberTurn(step.context);
    const ctx = messageContext(this.services, step.context);
    const intent = text === "" ? "" : this.services.classify(text.slice(0, CLASSIFY_LIMIT)).intent;

    // After STOP, Twilio blocks every SMS to the number until START, and so do we.
    if (member.channel === "sms" && member.participant.optedOut && intent !== "optin")
      return step.endDialog();
    if (text === "") {
      await sendReply(step.context, { text: ctx.t("handoff.unclear") });
      return step.endDialog();
    }
    if (await handleClockCommand(step.context, text, this.services)) return step.endDialog();
    if (await handleOrganizerCommand(step.context, text, this.services)) return step.endDialog();
    // People on the list were introduced by their invitation; anyone else writing in for the
    // first time (an SMS from an unknown number, say) is told who we are, unless they said STOP.
    if (!member.participant.onList && intent !== "optout") await sendWelcomeOnce(step.context, this.services);

    switch (intent) {
      case "optout":
      case "optin": {
        const wasOptedOut = member.participant.optedOut;
        await this.setOptOut(step.context, intent === "optout");
        const key = intent === "optin" && !wasOptedOut ? "optin.already" : `${intent}.confirmed`;
        return this.replyAndEnd(step, { text: ctx.t(key) });
      }
      case "privacy.delete":
        return step.beginDialog(DELETE_DATA_DIALOG);
      case "language.switch":
        return this.switchLanguage(step, text);
      case "rsvp.yes":
      case "rsvp.no":
      case "rsvp.maybe": {
        const outcome = await handleRsvp(step.context, intent as RsvpIntent, text, this.services);
        for (const reply of outcome.replies) await sendReply(step.context, reply);
        return outcome.askNeeds ? step.beginDialog(NEEDS_DIALOG) : step.endDialog();
      }
      case "handoff":
        await this.handOff(step.context, text, "requested");
        return this.replyAndEnd(step, { text: ctx.t("handoff.requested") });
    }
    const reply = this.answer(intent, text, step.context);
    if (reply) return this.replyAndEnd(step, reply);
    const missing = intent.startsWith("faq.");
    await this.handOff(step.context, text, missing ? "missing-content" : "unknown-topic");
    return this.replyAndEnd(step, { text: ctx.t(missing ? "handoff.missing" : "handoff.unknown") });
  }

  /** A child dialog ended; a question it could not take is routed as a new message. */
  private async afterChildStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const reroute = (step.result as ChildResult | undefined)?.reroute;
    return reroute
      ? step.replaceDialog(ROUTE_WATERFALL, { reroute } satisfies RouteOptions)
      : step.endDialog();
  }

  private async replyAndEnd(step: WaterfallStepContext, reply: Reply): Promise<DialogTurnResult> {
    await sendReply(step.context, reply);
    return step.endDialog();
  }

  /** A reply the bot can give from what it knows, or undefined when the organizers must answer. */
  private answer(intent: string, text: string, context: TurnContext): Reply | undefined {
    const ctx = messageContext(this.services, context);
    if (intent === "greeting") return greetingReply(ctx);
    if (intent === "help") return helpReply(ctx);
    if (intent === "thanks") return thanksReply(ctx);
    if (!intent.startsWith("faq.")) return undefined;
    const participantId = getMemberTurn(context).participant.id;
    return (
      answerFaq(intent, text, ctx, {
        absentSessionIds: absentSessionIds(this.services.store.data, participantId),
      }) ?? undefined
    );
  }

  private async setOptOut(context: TurnContext, optedOut: boolean): Promise<void> {
    const member = getMemberTurn(context);
    await this.services.store.update((data) =>
      setOptOut(
        data,
        member.participant.id,
        optedOut,
        { actor: "member", channel: member.channel },
        this.services.clock(),
      ),
    );
  }

  /** "english please" or "dansk tak"; without a language named, the other one. */
  private async switchLanguage(step: WaterfallStepContext, text: string): Promise<DialogTurnResult> {
    const member = getMemberTurn(step.context);
    const words = foldDanish(text);
    const target: Language = /engelsk|english/.test(words)
      ? "en"
      : /dansk|danish/.test(words)
        ? "da"
        : member.language === "da"
          ? "en"
          : "da";
    await this.services.store.update((data) => {
      mustFindParticipant(data, member.participant.id).language = target;
      recordHistory(
        data,
        {
          participantId: member.participant.id,
          channel: member.channel,
          actor: "member",
          change: "language",
          detail: { to: target },
        },
        this.services.clock(),
      );
    });
    member.language = target;
    return this.replyAndEnd(step, {
      text: messageContext(this.services, step.context).t("language.switched"),
    });
  }

  /** The member is told only after the question is safely in the inbox. */
  private async handOff(context: TurnContext, text: string, reason: HandoffReason): Promise<void> {
    const member = getMemberTurn(context);
    await this.services.store.update((data) =>
      addHandoff(
        data,
        { participantId: member.participant.id, channel: member.channel, text, reason },
        this.services.clock(),
      ),
    );
  }
}
