import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from "botbuilder-dialogs";
import { setNeeds } from "../bot/domain/attendance.js";
import { renderReply } from "../bot/channels/renderReply.js";
import { foldDanish } from "../bot/nlu/normalize.js";
import { extractDates } from "../bot/nlu/dates.js";
import type { ChildResult } from "./childResult.js";
import { getMemberTurn } from "./memberTurn.js";
import { messageContext, sendReply } from "./replies.js";
import type { DialogServices } from "./services.js";

export const NEEDS_DIALOG = "needsDialog";
const NEEDS_WATERFALL = "needsDialog.waterfall";
const NEEDS_PROMPT = "needsDialog.prompt";

/** Topics a member's special needs are about; anything else in the answer is a new question. */
const NEEDS_TOPICS = new Set([
  "faq.food",
  "faq.accessibility",
  "faq.childcare",
  "faq.transport",
  "faq.language",
  "none",
]);
const NO_NEEDS = new Set([
  "nej",
  "nej tak",
  "ingen",
  "nix",
  "nope",
  "no",
  "none",
  "intet",
  "nej ingen",
  "ikke noget",
  "intet særligt",
]);

/**
 * Asked once, right after a member accepts: does anything need arranging (diet, access)?
 * The answer is stored for the organizers. An answer that is really a new question ("hvor er
 * det?") is handed back to the main dialog instead of being stored as a need.
 */
export class NeedsDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(NEEDS_DIALOG);
    this.addDialog(new TextPrompt(NEEDS_PROMPT));
    this.addDialog(new WaterfallDialog(NEEDS_WATERFALL, [this.askStep.bind(this), this.saveStep.bind(this)]));
    this.initialDialogId = NEEDS_WATERFALL;
  }

  private async askStep(step: WaterfallStepContext) {
    const ctx = messageContext(this.services, step.context);
    return step.prompt(NEEDS_PROMPT, {
      prompt: renderReply({ text: ctx.t("rsvp.askNeeds") }, step.context.activity.channelId),
    });
  }

  private async saveStep(step: WaterfallStepContext) {
    const text = String(step.result ?? "").trim();
    const ctx = messageContext(this.services, step.context);
    const folded = foldDanish(text)
      .replace(/[^\p{L}\s]/gu, "")
      .replace(/\s+/g, " ")
      .trim();
    const { intent } = this.services.classify(text);
    // "nej tak" answers the question; "jeg kan ikke d. 26." is news about a session.
    const namesDates = extractDates(text, this.services.clock(), this.services.assembly.timeZone).length > 0;
    if (NO_NEEDS.has(folded) || (intent === "rsvp.no" && !namesDates)) {
      await sendReply(step.context, { text: ctx.t("rsvp.noNeeds") });
      return step.endDialog({} satisfies ChildResult);
    }
    if (text.includes("?") || !NEEDS_TOPICS.has(intent))
      return step.endDialog({ reroute: text } satisfies ChildResult);
    const member = getMemberTurn(step.context);
    await this.services.store.update((data) =>
      setNeeds(
        data,
        member.participant.id,
        text,
        { actor: "member", channel: member.channel },
        this.services.clock(),
      ),
    );
    await sendReply(step.context, { text: ctx.t("rsvp.needsSaved") });
    return step.endDialog({} satisfies ChildResult);
  }
}
