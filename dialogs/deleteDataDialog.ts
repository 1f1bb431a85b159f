import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from "botbuilder-dialogs";
import { renderReply } from "../bot/channels/renderReply.js";
import { eraseParticipant } from "../bot/domain/erasure.js";
import { localeButtons } from "../bot/messages/sessions.js";
import type { ChildResult } from "./childResult.js";
import { getMemberTurn } from "./memberTurn.js";
import { messageContext, sendReply } from "./replies.js";
import type { DialogServices } from "./services.js";

export const DELETE_DATA_DIALOG = "deleteDataDialog";
const DELETE_WATERFALL = "deleteDataDialog.waterfall";
const CONFIRM_PROMPT = "deleteDataDialog.confirm";

/**
 * "Slet mine oplysninger": the bot asks once, and only a clear yes erases. The confirmation is
 * sent after the erasure is on disk; the bot then forgets this conversation's state too.
 */
export class DeleteDataDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(DELETE_DATA_DIALOG);
    this.addDialog(new TextPrompt(CONFIRM_PROMPT));
    this.addDialog(
      new WaterfallDialog(DELETE_WATERFALL, [this.confirmStep.bind(this), this.eraseStep.bind(this)]),
    );
    this.initialDialogId = DELETE_WATERFALL;
  }

  private async confirmStep(step: WaterfallStepContext) {
    const ctx = messageContext(this.services, step.context);
    const reply = {
      text: ctx.t("privacy.confirm"),
      buttons: localeButtons(ctx, "privacy.buttons", ["yes", "no"]),
    };
    return step.prompt(CONFIRM_PROMPT, { prompt: renderReply(reply, step.context.activity.channelId) });
  }

  private async eraseStep(step: WaterfallStepContext) {
    const ctx = messageContext(this.services, step.context);
    const answer = String(step.result ?? "");
    const { intent } = this.services.classify(answer);
    if (intent === "rsvp.no") {
      await sendReply(step.context, { text: ctx.t("privacy.kept") });
      return step.endDialog();
    }
    // Anything but a clear yes or no (STOP, a question) is handled as a message of its own.
    if (intent !== "rsvp.yes") return step.endDialog({ reroute: answer } satisfies ChildResult);
    const member = getMemberTurn(step.context);
    await this.services.store.update((data) =>
      eraseParticipant(data, {
        participantId: member.participant.id,
        actor: "member",
        now: this.services.clock(),
        secret: this.services.store.secret,
      }),
    );
    // Their earlier data must not linger in the store's log either.
    await this.services.store.compact();
    member.erased = true;
    await sendReply(step.context, { text: ctx.t("privacy.deleted") });
    return step.endDialog();
  }
}
