import { ActivityTypes, TurnContext, type Activity, type ResourceResponse } from "botbuilder";
import { toGsmLookalikes } from "../sms/gsm.js";
import type { SmsSender } from "../sms/smsSender.js";
import { BufferedTurnAdapter } from "./bufferedTurnAdapter.js";

export const SMS_CHANNEL_ID = "sms";

export interface InboundSms {
  messageSid: string;
  /** E.164 sender number; it is also the conversation id. */
  from: string;
  to: string;
  body: string;
}

/**
 * Twilio SMS as a Bot Framework channel. An inbound webhook runs one turn whose replies come
 * back as TwiML in the HTTP response; messages outside a turn (reminders, organizer answers) go
 * out through the SMS sender.
 */
export class SmsAdapter extends BufferedTurnAdapter {
  protected readonly channelName = "smsAdapter";

  constructor(private readonly sender: SmsSender) {
    super();
  }

  /** Runs the turn for one inbound SMS and returns its replies, in GSM-7 lookalikes. */
  async processSms(sms: InboundSms, logic: (context: TurnContext) => Promise<void>): Promise<string[]> {
    const replies = await this.runBufferedTurn(
      {
        type: ActivityTypes.Message,
        id: sms.messageSid,
        channelId: SMS_CHANNEL_ID,
        serviceUrl: SMS_CHANNEL_ID,
        timestamp: new Date(),
        from: { id: sms.from, name: "", role: "user" },
        recipient: { id: sms.to, name: "", role: "bot" },
        conversation: { id: sms.from, name: "", isGroup: false, conversationType: "personal" },
        text: sms.body,
        textFormat: "plain",
        locale: "da-DK",
      },
      logic,
    );
    return replies
      .map((reply) => reply.text)
      .filter((text): text is string => Boolean(text))
      .map(toGsmLookalikes);
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message || !activity.text || !activity.recipient?.id) {
        responses.push({ id: "" });
        continue;
      }
      const result = await this.sender.sendSms({
        to: activity.recipient.id,
        body: activity.text,
        purpose: (activity.channelData as { purpose?: string } | undefined)?.purpose ?? "message",
      });
      // The outbox already says why; the caller (an organizer's answer, say) must know it failed.
      if (result.status === "failed" || result.status === "blocked") {
        throw new Error(
          `smsAdapter: the SMS was not sent (${result.status === "failed" ? result.error : result.reason})`,
        );
      }
      responses.push({ id: result.outboxId });
    }
    return responses;
  }
}
