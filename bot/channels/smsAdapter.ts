import { ActivityTypes, type ResourceResponse, type TurnContext } from "botbuilder";
import { toGsmLookalikes } from "../sms/gsm.js";
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
 * out through the outbound pipeline (bot/outbound).
 */
export class SmsAdapter extends BufferedTurnAdapter {
  protected readonly channelName = "smsAdapter";

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

  /** Outside a turn an SMS goes through the outbound pipeline, which keeps it in the outbox. */
  sendActivities(): Promise<ResourceResponse[]> {
    return Promise.reject(new Error("smsAdapter: send SMS outside a turn through the outbound pipeline"));
  }
}
