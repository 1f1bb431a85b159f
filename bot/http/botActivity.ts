import { z } from "zod";
import { CHANNEL_ID_PATTERN } from "../store/schema.js";
import { HttpError } from "./body.js";

/** Far longer than any real Teams or Web Chat id, short enough that nobody stores a novel as a key. */
export const MAX_ID_LENGTH = 256;
/**
 * Printable ASCII without spaces. The Bot Connector client sends the conversation id in the
 * x-ms-conversation-id header and both ids in the URL path: Node refuses a header with other
 * characters, and a lone surrogate cannot be percent-encoded, and either failed with a 500.
 */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const headerSafeId = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(HEADER_SAFE, "must be printable ASCII without spaces");

const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: headerSafeId.optional(),
  // Channels send lower-case ids; "WebChat" from a hand-written client means webchat.
  channelId: z
    .string()
    .max(MAX_ID_LENGTH)
    .transform((id) => id.toLowerCase())
    // The store's own pattern: an id outside it would make the data file unreadable.
    .pipe(z.string().regex(CHANNEL_ID_PATTERN, "must be letters, digits and -")),
  serviceUrl: z.string().min(1),
  from: z.looseObject({ id: z.string().min(1).max(MAX_ID_LENGTH) }),
  conversation: z.looseObject({ id: headerSafeId }),
});

/** SMS and the local page have their own endpoints; here they could only be forged. */
const OWN_CHANNELS = new Set(["sms", "local"]);

/**
 * The hosts of the Bot Connector service, where Azure Bot Service channels take replies: Teams
 * (public cloud, GCC, GCC High, DoD) and every other channel under botframework.com, with the
 * Azure Government and Azure China (21Vianet) clouds under their own domains.
 */
const CONNECTOR_HOSTS = new Set([
  "smba.trafficmanager.net",
  "smba.infra.gcc.teams.microsoft.com",
  "smba.infra.gov.teams.microsoft.us",
  "smba.infra.dod.teams.microsoft.us",
]);
const CONNECTOR_DOMAINS = ["botframework.com", "botframework.azure.us", "botframework.azure.cn"];
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether the bot may post its replies to `serviceUrl`. The adapter sends every reply there, so
 * any other address would make the bot a proxy to wherever a caller points it. In local mode
 * that is this machine only (the Emulator, a test connector); deployed, the Bot Connector only.
 */
export function isAllowedServiceUrl(serviceUrl: string, localMode: boolean): boolean {
  let url: URL;
  try {
    // decodeURI refuses broken percent-encoding, which URL lets through and the connector client does not.
    decodeURI(serviceUrl);
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const host = url.hostname;
  if (localMode) {
    return (
      (url.protocol === "http:" || url.protocol === "https:") &&
      (host === "localhost" || host === "[::1]" || LOOPBACK_V4.test(host))
    );
  }
  return (
    url.protocol === "https:" &&
    url.port === "" &&
    (CONNECTOR_HOSTS.has(host) || CONNECTOR_DOMAINS.some((domain) => host.endsWith(`.${domain}`)))
  );
}

/**
 * Checks a Bot Framework activity at the edge, before botbuilder sees it: botbuilder throws on
 * a malformed one, and stores or sends whatever ids and addresses it is given.
 */
export function parseActivity(
  body: Record<string, unknown>,
  options: { localMode: boolean },
): Record<string, unknown> {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(
      400,
      `not a Bot Framework activity: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  }
  const activity = parsed.data;
  if (OWN_CHANNELS.has(activity.channelId)) {
    throw new HttpError(400, `channelId ${activity.channelId} is not accepted on /api/messages`);
  }
  if (!isAllowedServiceUrl(activity.serviceUrl, options.localMode)) {
    throw new HttpError(
      400,
      options.localMode
        ? "serviceUrl must be a loopback address (127.0.0.0/8, localhost, [::1]) in local mode"
        : "serviceUrl must be a Bot Connector service address",
    );
  }
  return activity;
}
