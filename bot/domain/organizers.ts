import { parsePhoneNumberFromString } from "libphonenumber-js";

/**
 * ORGANIZERS lists who may use the organizer commands: Teams AAD object ids, emails or phone
 * numbers. Entries are normalised once so that "20 30 40 50" matches the SMS sender +4520304050.
 */
export interface OrganizerDirectory {
  isOrganizer(identity: { aadObjectId?: string; email?: string; phone?: string }): boolean;
  /** True if any entry is an email, i.e. a Teams member's email is worth looking up. */
  readonly hasEmails: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createOrganizerDirectory(entries: string[]): OrganizerDirectory {
  const ids = new Set<string>();
  const emails = new Set<string>();
  const phones = new Set<string>();
  for (const entry of entries) {
    const phone = GUID.test(entry) ? undefined : toE164(entry);
    if (entry.includes("@")) emails.add(entry.toLowerCase());
    else if (phone) phones.add(phone);
    else ids.add(entry.toLowerCase());
  }
  return {
    hasEmails: emails.size > 0,
    isOrganizer: ({ aadObjectId, email, phone }) =>
      (aadObjectId !== undefined && ids.has(aadObjectId.toLowerCase())) ||
      (email !== undefined && emails.has(email.toLowerCase())) ||
      (phone !== undefined && phones.has(phone)),
  };
}

/** Danish numbers may be written without +45. */
export function toE164(phone: string): string | undefined {
  const parsed = parsePhoneNumberFromString(phone, "DK");
  return parsed?.isValid() ? parsed.number : undefined;
}
