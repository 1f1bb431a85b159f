import { describe, expect, it } from "vitest";
import { createOrganizerDirectory } from "../../bot/domain/organizers.js";

describe("ORGANIZERS", () => {
  const directory = createOrganizerDirectory([
    "11111111-2222-3333-4444-555555555555",
    "Sekretariat@Eksempel.dk",
    "20 30 40 50",
  ]);

  it.each([
    [
      "a Teams AAD object id (not mistaken for a phone number)",
      { aadObjectId: "11111111-2222-3333-4444-555555555555" },
      true,
    ],
    ["an email in any case", { email: "sekretariat@eksempel.dk" }, true],
    ["a Danish number written without +45", { phone: "+4520304050" }, true],
    ["someone else", { aadObjectId: "99999999-2222-3333-4444-555555555555", phone: "+4520304051" }, false],
  ])("recognises %s", (_case, identity, expected) => {
    expect(directory.isOrganizer(identity)).toBe(expected);
  });
});
