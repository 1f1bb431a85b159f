import {
  ActivityTypes,
  DeliveryModes,
  StatusCodes,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type ConversationState,
  type InvokeResponse,
  type StatePropertyAccessor,
} from "botbuilder";
import type { DialogState } from "botbuilder-dialogs";
import { getMemberTurn, setMemberTurn, type MemberTurn } from "../../dialogs/memberTurn.js";
import type { MainDialog } from "../../dialogs/mainDialog.js";
import { messageContext, sendReply, sendWelcomeOnce } from "../../dialogs/replies.js";
import type { DialogServices } from "../../dialogs/services.js";
import { setInvitation } from "../domain/attendance.js";
import { findConversation } from "../domain/conversations.js";
import type { OrganizerDirectory } from "../domain/organizers.js";
import {
  ensureParticipant,
  findParticipant,
  mergeInto,
  mustFindParticipant,
} from "../domain/participants.js";
import { invitationReply } from "../messages/invitation.js";
import type { DbData, Participant } from "../store/schema.js";
import { LOCAL_CHANNEL_ID } from "./localAdapter.js";

export interface BorgerBotDeps {
  services: DialogServices;
  conversationState: ConversationState;
  mainDialog: MainDialog;
  organizers: OrganizerDirectory;
}

/** Invokes botbuilder parses on its own; the bot offers neither (Action.Execute cards, search). */
const UNHANDLED_INVOKES = new Set(["adaptiveCard/action", "application/search"]);

/**
 * One bot for every channel. It resolves who is writing, keeps their conversation reference
 * for later proactive messages, routes the turn to the dialogs, and saves state in one place.
 */
export class BorgerBot extends TeamsActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(private readonly deps: BorgerBotDeps) {
    super();
    this.dialogState = deps.conversationState.createProperty<DialogState>("dialogState");

    this.onMembersAdded(async (context, next) => {
      if (context.activity.conversation.isGroup !== true) await this.welcome(context);
      await next();
    });

    this.onMessage(async (context, next) => {
      await this.deps.mainDialog.run(context, this.dialogState);
      await next();
    });
  }

  /** One turn, whose changes are written in one commit before any reply that depends on them leaves. */
  override async run(context: TurnContext): Promise<void> {
    await this.deps.services.store.runTurn(() => this.runTurn(context));
  }

  private async runTurn(context: TurnContext): Promise<void> {
    const type = context.activity.type;
    const member =
      type === ActivityTypes.Message || type === ActivityTypes.ConversationUpdate
        ? await this.resolveMember(context)
        : undefined;
    if (member) setMemberTurn(context, member);
    // A question the dialog asks ("Er du sikker?") must not reach the member before the
    // dialog state that expects the answer is on disk. Buffered channels (SMS, the local
    // page, expectReplies) send after the save below anyway; Teams sends at once.
    let failed = false;
    context.onSendActivities(async (_context, _activities, next) => {
      // After a failure the state is half-way through a step; onTurnError's apology must not save it.
      const buffered = context.activity.deliveryMode === DeliveryModes.ExpectReplies;
      if (buffered) return next();
      if (!member?.erased && !failed) await this.deps.conversationState.saveChanges(context, false);
      await this.deps.services.store.commit();
      return next();
    });
    try {
      await super.run(context);
    } catch (error) {
      failed = true;
      throw error;
    }
    if (member?.erased) await this.deps.conversationState.delete(context);
    else await this.deps.conversationState.saveChanges(context, false);
  }

  /**
   * The bot offers no invoke features (task modules, message extensions, Action.Execute cards),
   * and botbuilder answers an invoke nobody handles with 501. A channel or client that sends
   * one anyway is told it arrived, with an empty invoke response, rather than a server error.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    // botbuilder reads these two invokes' value before it finds that nobody handles them, and a
    // malformed one (no value.action, a string value) throws a TypeError: a failed turn and a 501.
    if (UNHANDLED_INVOKES.has(context.activity.name ?? "")) return { status: StatusCodes.OK };
    const response = await super.onInvokeActivity(context);
    return response.status === StatusCodes.NOT_IMPLEMENTED ? { status: StatusCodes.OK } : response;
  }

  private async welcome(context: TurnContext): Promise<void> {
    const { services } = this.deps;
    const member = getMemberTurn(context);
    const firstTime = !member.participant.welcomedAt;
    await sendWelcomeOnce(context, services);
    // On the local test page a newcomer plays an invited member, so every flow can be tried
    // there: the invitation, JA/NEJ/MÅSKE, special needs, absence and the organizer side.
    if (firstTime && member.channel === LOCAL_CHANNEL_ID) {
      await services.store.update((data) => {
        mustFindParticipant(data, member.participant.id).onList = true;
        setInvitation(
          data,
          member.participant.id,
          "invited",
          { actor: "system", channel: member.channel },
          services.clock(),
        );
      });
      await sendReply(context, invitationReply(messageContext(services, context), member.participant.name));
    }
  }

  private async resolveMember(context: TurnContext): Promise<MemberTurn> {
    const { services, organizers } = this.deps;
    const activity = context.activity;
    const channel = activity.channelId;
    const key = channel === "msteams" ? (activity.from.aadObjectId ?? activity.from.id) : activity.from.id;
    // The activity id changes every turn; leaving it out means the reference is rewritten only when it changes.
    const { activityId: _activityId, ...reference } = TurnContext.getConversationReference(activity);
    const found = await services.store.update((data) => {
      const result = ensureParticipant(
        data,
        { channel, key, name: activity.from.name || undefined, aliases: [activity.from.id] },
        services.clock(),
      );
      rememberConversation(
        data,
        { channel, key, participantId: result.participant.id, reference: { ...reference } },
        services.clock(),
      );
      return result;
    });
    const needsEmail =
      channel === "msteams" &&
      !found.participant.email &&
      (organizers.hasEmails || (found.created && this.listHasUnlinkedEmails()));
    const participant = needsEmail
      ? await this.learnTeamsEmail(context, found.participant)
      : found.participant;
    const { store } = services;
    let latest = participant;
    return {
      // Read fresh each time, so later steps of the turn see the turn's own changes.
      get participant() {
        latest = findParticipant(store.data, latest.id) ?? latest;
        return latest;
      },
      channel,
      language: participant.language,
      isOrganizer: organizers.isOrganizer({
        // Teams sets the AAD id from the signed-in user; any other channel's client writes what it likes.
        aadObjectId: channel === "msteams" ? activity.from.aadObjectId : undefined,
        email: participant.email,
        phone: channel === "sms" ? key : undefined,
      }),
    };
  }

  /** Someone on the organizers' list could still turn out to be this new Teams user, matched by email. */
  private listHasUnlinkedEmails(): boolean {
    const { data } = this.deps.services.store;
    const inTeams = new Set(
      data.identities
        .filter((identity) => identity.channel === "msteams")
        .map((identity) => identity.participantId),
    );
    return data.participants.some(
      (participant) => participant.onList && participant.email && !inTeams.has(participant.id),
    );
  }

  /**
   * Teams tells us a member's email, which links a new Teams user to the organizers' list and
   * lets ORGANIZERS name organizers by email.
   */
  private async learnTeamsEmail(context: TurnContext, participant: Participant): Promise<Participant> {
    const { store, logger } = this.deps.services;
    let email: string | undefined;
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      email = (member.email ?? member.userPrincipalName)?.toLowerCase();
    } catch (error) {
      logger.warn({ err: (error as Error).message }, "could not read the Teams member's email");
    }
    if (!email) return participant;
    return store.update((data) => {
      const self = mustFindParticipant(data, participant.id);
      const listed = data.participants.find(
        (p) => p.onList && p.id !== participant.id && p.email?.toLowerCase() === email,
      );
      if (!listed || self.onList) {
        self.email = email;
        return self;
      }
      return mergeInto(data, participant.id, listed.id);
    });
  }
}

function rememberConversation(
  data: DbData,
  entry: { channel: string; key: string; participantId: string; reference: Record<string, unknown> },
  now: Date,
): void {
  const existing = findConversation(data, entry);
  const same = existing && JSON.stringify(existing.reference) === JSON.stringify(entry.reference);
  if (same && !existing.unusableSince) return;
  if (existing) {
    // The member wrote on a conversation the Bot Connector had refused (403/404): it works
    // again, so later messages go here rather than by SMS.
    delete existing.unusableSince;
    delete existing.unusableReason;
    Object.assign(existing, { ...entry, updatedAt: now.toISOString() });
  } else data.conversationRefs.push({ ...entry, updatedAt: now.toISOString() });
}
