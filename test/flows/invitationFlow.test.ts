import { describe, expect, it } from "vitest";
import type { DbData } from "../../bot/store/schema.js";
import { botActivity, postJson } from "../helpers/http.js";
import { useFreshFlowServer } from "../helpers/flowServer.js";

/*
 * Whole conversations over the real HTTP endpoints: signed Twilio posts, Bot Framework
 * activities and the organizer API, asserting the data file and the outbox after each step.
 * With the clock at Saturday 28 November 2026 the demo's sessions are Tuesday 15 December,
 * Saturday 26 December, Thursday 7 January, Saturday 23 January and Saturday 13 February.
 *
 * Each test starts on an empty data file and brings the assembly to where it begins itself
 * (the steps below), so any one of them can run alone.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const ANNA = "+4520304050";
const BO = "+4521314151";
const CARL = "+4522324252";
const ANNA_TEAMS = "00000000-0000-0000-0000-00000000a11a";

const LIST = `\uFEFFname;phone;email;teams_id\nAnna Andersen;20 30 40 50;anna@example.dk;${ANNA_TEAMS}\nBo Berg;+45 21 31 41 51;;\nCarl Clausen;22324252;;\nUden Nummer;;;\n`;

const flow = useFreshFlowServer({ now: NOW });
const { db, sms } = flow;

/** The organizers import the list from Danish Excel and invite everyone on it by SMS. */
async function inviteTheList(): Promise<void> {
  await flow.api.importCsv(LIST);
  await flow.api.invite();
}

/** Anna has said yes and answered the special-needs question. */
async function annaHasAccepted(): Promise<void> {
  await inviteTheList();
  await sms(ANNA, "JA");
  await sms(ANNA, "Jeg er vegetar og bruger rollator");
}

/** Anna is absent from the sessions on these dates, sent while the clock is at NOW. */
async function annaIsAbsentOn(...dates: string[]): Promise<void> {
  for (const date of dates) await sms(ANNA, `jeg kan ikke d. ${date}`);
}

/** On 5 January the organizers remind of 7 January, and Anna answers no. */
async function annaSaysNoToTheReminderFor7January(): Promise<void> {
  flow.server.setNow(new Date("2027-01-05T10:00:00Z"));
  await flow.api.remind("m3");
  await sms(ANNA, "nej");
}

/** On the morning of 23 January Anna reports sick. */
async function annaIsSickOn23January(): Promise<void> {
  flow.server.setNow(new Date("2027-01-23T07:30:00Z"));
  await sms(ANNA, "jeg er syg i dag");
}

async function teams(text: string): Promise<string[]> {
  const res = await postJson(
    `${flow.server.baseUrl}/api/messages`,
    botActivity(text, {
      channelId: "msteams",
      from: { id: "29:anna-teams", aadObjectId: ANNA_TEAMS, name: "Anna Andersen" },
      conversation: { id: "a:anna-personal", conversationType: "personal" },
    }),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    activities: Array<{ text?: string; attachments?: Array<{ content: { body: Array<{ text: string }> } }> }>;
  };
  return body.activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
  );
}

function participantByPhone(data: DbData, phone: string) {
  return data.participants.find((participant) => participant.phone === phone);
}

describe("from the lottery to the first session", () => {
  it("imports the organizers' CSV from Danish Excel, with a BOM and semicolons", async () => {
    const res = await flow.api.importCsv(LIST);
    expect(await res.json()).toEqual({
      imported: 3,
      updated: 0,
      rejected: [{ row: 5, reason: "phone is empty" }],
    });
    expect((await db()).participants.map((p) => p.phone)).toEqual([ANNA, BO, CARL]);
  });

  it("invites everyone by SMS once; a second call sends nothing new", async () => {
    await flow.api.importCsv(LIST);
    expect(await flow.api.invite()).toEqual({ sent: 3, skipped: 0, remaining: 0 });
    expect(await flow.api.invite()).toEqual({ sent: 0, skipped: 3, remaining: 0 });
    const data = await db();
    const invitations = data.outbox.filter((message) => message.purpose === "invitation");
    expect(invitations).toHaveLength(3);
    expect(invitations.find((message) => message.to === ANNA)!.text).toBe(
      "Hej Anna. Eksempel Kommune inviterer dig til Borgersamlingen om klima og grøn omstilling. Du er udtrukket ved lodtrækning. " +
        "Vi mødes 5 gange: tirsdag 15. dec. kl. 17-21, lørdag 26. dec. kl. 10-16, torsdag 7. jan. kl. 17-21, lørdag 23. jan. kl. 10-16 og lørdag 13. feb. kl. 10-16. " +
        "Svar JA eller NEJ - eller skriv dit spørgsmål. Skriv STOP for at afmelde.",
    );
    expect(data.participants.every((p) => p.invitation === "invited")).toBe(true);
  });

  it("answers a question and keeps the invitation pending", async () => {
    await inviteTheList();
    const replies = await sms(ANNA, "hvad faar man i honorar");
    expect(replies).toEqual([
      "Du får 600 kr. for hvert møde, du deltager i. Beløbet er skattepligtigt. Vi udbetaler det til din NemKonto efter sidste møde.",
    ]);
    expect(participantByPhone(await db(), ANNA)!.invitation).toBe("invited");
  });

  it("accepts JA, confirms with the dates and asks once about special needs", async () => {
    await inviteTheList();
    const replies = await sms(ANNA, "JA");
    expect(replies).toEqual([
      "Tak, du er tilmeldt. Vi mødes tirsdag 15. dec. kl. 17-21, lørdag 26. dec. kl. 10-16, torsdag 7. jan. kl. 17-21, lørdag 23. jan. kl. 10-16 og lørdag 13. feb. kl. 10-16.",
      "Har du brug for noget særligt for at kunne deltage, fx en bestemt kost eller hjælp til at komme rundt? Skriv det her, eller svar NEJ.",
    ]);
    expect(participantByPhone(await db(), ANNA)!.invitation).toBe("accepted");
  });

  it("stores the special needs for the organizers", async () => {
    await inviteTheList();
    await sms(ANNA, "JA");
    expect(await sms(ANNA, "Jeg er vegetar og bruger rollator")).toEqual([
      "Tak. Vi har skrevet det ned, så vi kan sørge for det.",
    ]);
    const anna = participantByPhone(await db(), ANNA)!;
    expect(anna.needs).toBe("Jeg er vegetar og bruger rollator");
    const row = (await flow.api.attendance()).participants.find((p) => p.phone === ANNA);
    expect(row).toMatchObject({ invitation: "accepted", needs: "Jeg er vegetar og bruger rollator" });
  });

  it("thanks a member who says NEJ and records the decline", async () => {
    await inviteTheList();
    expect(await sms(BO, "nej tak")).toEqual(["Tak for dit svar. Vi forstår godt, at du ikke kan være med."]);
    expect(participantByPhone(await db(), BO)!.invitation).toBe("declined");
  });

  it("reminds a MÅSKE of the deadline", async () => {
    await inviteTheList();
    expect(await sms(CARL, "maaske")).toEqual([
      "Det er helt i orden at tænke over det. Svar JA eller NEJ senest tirsdag den 8. december.",
    ]);
    expect(participantByPhone(await db(), CARL)!.invitation).toBe("maybe");
  });

  it("marks an accepted member absent from the session on a named date", async () => {
    await annaHasAccepted();
    expect(await sms(ANNA, "jeg kan ikke d. 26. december")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer lørdag den 26. december kl. 10-16.",
    ]);
    const data = await db();
    const anna = participantByPhone(data, ANNA)!;
    expect(data.attendance).toContainEqual(
      expect.objectContaining({
        participantId: anna.id,
        sessionId: "m2",
        status: "absent",
        reason: "jeg kan ikke d. 26. december",
      }),
    );
    expect(data.inbox.at(-1)).toMatchObject({ participantId: anna.id, reason: "absence-report" });
  });

  it("says when there is no session on the named date, and lists the dates", async () => {
    await annaHasAccepted();
    const replies = await sms(ANNA, "jeg kan ikke d. 16. december");
    expect(replies).toEqual([
      "Der er ikke noget møde den 16. december. De næste møder er tirsdag 15. dec. kl. 17-21, lørdag 26. dec. kl. 10-16, torsdag 7. jan. kl. 17-21, lørdag 23. jan. kl. 10-16 og lørdag 13. feb. kl. 10-16.",
    ]);
  });

  it("gives the next session for this member, skipping one they sent word of absence for", async () => {
    await annaHasAccepted();
    await annaIsAbsentOn("26. december");
    flow.server.setNow(new Date("2026-12-20T10:00:00Z"));
    expect(await sms(ANNA, "hvornår er næste møde?")).toEqual([
      "Næste møde er lørdag den 26. december kl. 10-16. Du har meldt afbud til det, så dit næste møde er torsdag den 7. januar 2027 kl. 17-21 på Rådhuset, Byrådssalen.",
    ]);
  });

  it("applies a yes or no after a session reminder to that session", async () => {
    await annaHasAccepted();
    await sms(BO, "nej tak");
    await sms(CARL, "maaske");
    await annaIsAbsentOn("26. december");
    flow.server.setNow(new Date("2027-01-05T10:00:00Z"));
    expect(await flow.api.remind("m3")).toEqual({ sent: 1, skipped: 0 });
    const reminder = (await db()).outbox.at(-1)!;
    expect(reminder).toMatchObject({ to: ANNA, purpose: "reminder" });
    expect(reminder.text).toBe(
      "Påmindelse: Erfaringer og idéer er torsdag den 7. januar kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.",
    );
    expect(await sms(ANNA, "nej")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer torsdag den 7. januar kl. 17-21.",
    ]);
    const data = await db();
    expect(data.attendance.find((entry) => entry.sessionId === "m3")).toMatchObject({ status: "absent" });
    expect(participantByPhone(data, ANNA)!.awaitingSession).toBeUndefined();
  });

  it("marks today's session absent when a member reports sick, and tells the organizers", async () => {
    await annaHasAccepted();
    await annaIsAbsentOn("26. december");
    await annaSaysNoToTheReminderFor7January();
    flow.server.setNow(new Date("2027-01-23T07:30:00Z"));
    expect(await sms(ANNA, "jeg er syg i dag")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer i dag kl. 10-16.",
    ]);
    const data = await db();
    expect(data.attendance.find((entry) => entry.sessionId === "m4")).toMatchObject({
      status: "absent",
      reason: "jeg er syg i dag",
    });
    const report = (await flow.api.attendance()).participants.find((p) => p.phone === ANNA)!;
    expect(report.sessions).toEqual({
      m1: "unknown",
      m2: "absent",
      m3: "absent",
      m4: "absent",
      m5: "unknown",
    });
  });

  it("lets the same member carry on in Teams, linked by the teams_id from the list", async () => {
    await annaHasAccepted();
    await annaIsAbsentOn("26. december");
    await annaSaysNoToTheReminderFor7January();
    await annaIsSickOn23January();
    const replies = await teams("hvornår er næste møde");
    expect(replies.at(-1)).toBe(
      "Næste møde er i dag kl. 10-16. Du har meldt afbud til det, så dit næste møde er lørdag den 13. februar kl. 10-16 på Rådhuset, Byrådssalen.",
    );
    const data = await db();
    const anna = participantByPhone(data, ANNA)!;
    expect(
      data.identities
        .filter((identity) => identity.participantId === anna.id)
        .map((identity) => identity.channel)
        .sort(),
    ).toEqual(["msteams", "sms"]);
    expect(data.participants).toHaveLength(3);
  });
});

describe("a number the store does not know", () => {
  const STRANGER = "+4529999999";

  it("gets general answers and is never told anyone's data", async () => {
    await annaHasAccepted();
    await annaIsAbsentOn("15. december");
    const replies = await sms(STRANGER, "hvornår er næste møde");
    expect(replies.join(" ")).toContain("Næste møde er tirsdag den 15. december kl. 17-21");
    expect(replies.join(" ")).not.toContain("afbud");
    expect(await sms(STRANGER, "ja")).toEqual([
      "Tak for din besked. Vi kan ikke se, at du er inviteret til borgersamlingen. Har du et spørgsmål, så skriv det her.",
    ]);
  });
});
