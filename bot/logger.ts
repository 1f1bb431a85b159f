import { pino, type Logger } from "pino";

export type { Logger };

/** Fields that may carry a phone number or what a member wrote. */
const PERSONAL_FIELDS = ["phone", "to", "from", "text", "body", "name", "email"];

/** "+4520304050" becomes "+45******50": enough to tell two members apart in a log, not to call them. */
export function maskPhone(phone: string): string {
  if (phone.length <= 5) return "*".repeat(phone.length);
  return phone.slice(0, 3) + "*".repeat(phone.length - 5) + phone.slice(-2);
}

function maskValue(value: unknown, path: string[]): unknown {
  if (typeof value !== "string") return value === undefined ? value : "[masked]";
  const field = path[path.length - 1];
  if ((field === "phone" || field === "to" || field === "from") && /^\+?\d{6,}$/.test(value))
    return maskPhone(value);
  return `[masked ${value.length} chars]`;
}

/** Digit runs long enough to be a phone number, as they appear inside error messages. */
const PHONE_IN_TEXT = /\+?\d[\d ]{6,}\d/g;

/**
 * Error messages are free text: Twilio's, for one, name the number it could not reach. They
 * keep their type and message, with phone-like digit runs masked.
 */
function maskPhonesIn(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match.replace(/ /g, "")));
}

interface SerializedError {
  message?: string;
  stack?: string;
  aggregateErrors?: SerializedError[];
}

function maskSerialized(error: SerializedError): SerializedError {
  return {
    ...error,
    message: error.message && maskPhonesIn(error.message),
    stack: error.stack && maskPhonesIn(error.stack),
    ...(error.aggregateErrors ? { aggregateErrors: error.aggregateErrors.map(maskSerialized) } : {}),
  };
}

function maskedError(error: unknown): unknown {
  if (typeof error === "string") return maskPhonesIn(error);
  if (!(error instanceof Error)) return error;
  return maskSerialized(pino.stdSerializers.err(error) as SerializedError);
}

/**
 * Personal data stays out of the logs at info level and above. At debug and trace an operator
 * investigating a fault on their own machine sees the real values.
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const verbose = options.level === "debug" || options.level === "trace";
  const redact = verbose
    ? undefined
    : {
        paths: [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((field) => `*.${field}`)],
        censor: maskValue,
      };
  const serializers = verbose ? undefined : { err: maskedError };
  return pino({ level: options.level, redact, serializers, base: { app: "borgerbot" } }, options.destination);
}
