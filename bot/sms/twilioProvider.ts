import twilio from "twilio";

/** The slice of Twilio's REST API the bot uses; tests pass a fake with the same shape. */
export interface TwilioMessagesApi {
  create(params: {
    to: string;
    body: string;
    from?: string;
    messagingServiceSid?: string;
    statusCallback?: string;
  }): Promise<{ sid: string; status: string }>;
}

export function createTwilioMessagesApi(options: {
  accountSid: string;
  authToken: string;
}): TwilioMessagesApi {
  const client = twilio(options.accountSid, options.authToken);
  return { create: (params) => client.messages.create(params) };
}

export interface TwilioSendError {
  code?: number;
  message: string;
}

/** Twilio's "Attempt to send to unsubscribed recipient": the member texted STOP on the carrier side. */
export const TWILIO_UNSUBSCRIBED = 21610;

export function readTwilioError(error: unknown): TwilioSendError {
  const code =
    typeof (error as { code?: unknown })?.code === "number" ? (error as { code: number }).code : undefined;
  return { code, message: error instanceof Error ? error.message : String(error) };
}
