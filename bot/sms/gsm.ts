import { SegmentedMessage } from "sms-segments-calculator";

/**
 * Characters that silently switch an SMS to UCS-2 (70 characters a segment instead of 160),
 * mapped to their GSM-7 look-alikes. Templates avoid them; this catches what organizers type.
 */
const GSM_LOOKALIKES: ReadonlyArray<[RegExp, string]> = [
  [/[\u2018\u2019\u201A\u2032]/g, "'"],
  [/[\u201C\u201D\u201E\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2013\u2014\u2212]/g, "-"],
  [/\u2026/g, "..."],
  [/[\u00A0\u2007\u202F]/g, " "],
  [/\u20AC/g, "EUR"],
];

export function toGsmLookalikes(text: string): string {
  return GSM_LOOKALIKES.reduce(
    (result, [pattern, replacement]) => result.replace(pattern, replacement),
    text,
  );
}

export interface SmsEncoding {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
}

export function measureSms(text: string): SmsEncoding {
  const message = new SegmentedMessage(text, "auto");
  return { encoding: message.encodingName as SmsEncoding["encoding"], segments: message.segmentsCount };
}
