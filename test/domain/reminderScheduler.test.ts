import { afterEach, describe, expect, it } from "vitest";
import type { Assembly } from "../../bot/assembly/load.js";
import { setAttendance, setOptOut } from "../../bot/domain/attendance.js";
import { eraseParticipant } from "../../bot/domain/erasure.js";
import { createReminderScheduler } from "../../bot/domain/reminderScheduler.js";
import { recordScheduleChanges } from "../../bot/domain/sessionChanges.js";
import { createLogger } from "../../bot/logger.js";
import type { DbData, Participant } from "../../bot/store/schema.js";
import type { Store } from "../../bot/store/store.js";
import { createTestOutbound } from "../helpers/outbound.js";
import { assemblyWith } from "../helpers/reminderAssembly.js";
import { openTempStore } from "../helpers/tempStore.js";

// Tuesday 14 April 2026 17:00-21:00 in Copenhagen (CEST): 15:00Z.
const TUESDAY = { id: "m1", date: "2026-04-14", start: "17:00", end: "21:00" };
const AT_48H = new Date("2026-04-12T15:00:00Z");
const AT_3H = new Date("2026-04-14T12:00:00Z");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(options: { assembly?: Assembly; members?: Array<Partial<Participant>> } = {}) {
  let now = new Date("2026-04-01T10:00:00Z");
  const clock = () => now;
  const temp = await openTempStore(clock);
  cleanups.push(() => temp.cleanup());
  const { store } = temp;
  const members = options.members ?? [{}];
  await store.update((data) =>
    members.forEach((fields, index) =>
      data.participants.push({
        id: `p${index + 1}`,
        name: `Deltager ${index + 1}`,
        phone: `+452000000${index + 1}`,
        language: "da",
        createdAt: now.toISOString(),
        onList: true,
        invitation: "accepted",
        optedOut: false,
        ...fields,
      }),
    ),
  );
  const assembly = options.assembly ?? assemblyWith([TUESDAY]);
  const scheduler = createScheduler(store, assembly, clock);
  return {
    store,
    scheduler,
    /** Another process over the same store, as after a restart, with this assembly file. */
    restart: (file = assembly) => createScheduler(store, file, clock),
    moveTo: (at: Date) => void (now = at),
    sms: () => store.data.outbox.map((message) => `${message.to}: ${message.text}`),
    ledger: () =>
      store.data.reminderJobs.map((job) =>
        `${job.participantId} ${job.id} ${job.status} ${job.reason ?? ""}`.trim(),
      ),
  };
}

function createScheduler(store: Store, assembly: Assembly, clock: () => Date) {
  return createReminderScheduler({
    store,
    assembly,
    outbound: createTestOutbound({ store, clock, assembly }),
    clock,
    logger: createLogger({ level: "silent" }),
    owner: "test",
  });
}

/** Makes `change` just before the first write after it is set: after the plan, before the claims. */
function beforeFirstWrite(store: Store, change: (data: DbData) => unknown): void {
  const update = store.update.bind(store);
  let done = false;
  store.update = ((mutate) =>
    update((data) => {
      if (!done) {
        done = true;
        change(data);
      }
      return mutate(data);
    })) as Store["update"];
}

/** Makes `change` in the same commit as the first outbox row: after the plan, during the sends. */
function duringFirstSend(store: Store, change: (data: DbData) => unknown): void {
  const update = store.update.bind(store);
  let done = false;
  store.update = ((mutate) =>
    update((data) => {
      const result = mutate(data);
      if (!done && data.outbox.length > 0) {
        done = true;
        change(data);
      }
      return result;
    })) as Store["update"];
}

const KEY_48 = "reminder:m1@2026-04-14T15:00:00.000Z:48h";
const KEY_3 = "reminder:m1@2026-04-14T15:00:00.000Z:3h";
const TEXT_48 =
  "Påmindelse: Møde m1 er tirsdag den 14. april kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.";

describe("the reminder scheduler", () => {
  it("sends nothing before a reminder is due, and tells when the next one is", async () => {
    const { scheduler, moveTo, sms } = await setup();
    moveTo(new Date(AT_48H.getTime() - 60_000));
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([]);
    expect(scheduler.status()).toMatchObject({ nextDueAt: AT_48H.toISOString(), overdue: 0 });
  });

  it("sends a due reminder once, records it, and asks about that session", async () => {
    const { store, scheduler, moveTo, sms, ledger } = await setup();
    moveTo(AT_48H);
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([`+4520000001: ${TEXT_48}`]);
    expect(ledger()).toEqual([`p1 ${KEY_48} sent`]);
    expect(store.data.participants.at(0)!.awaitingSession).toEqual({
      sessionId: "m1",
      askedAt: AT_48H.toISOString(),
    });
  });

  it("says what to bring, and where a session held elsewhere is", async () => {
    const venue = { name: "Eksempelby Bibliotek, Salen", address: "Biblioteksvej 3, 4000 Eksempelby" };
    const { scheduler, moveTo, sms } = await setup({
      assembly: assemblyWith([{ ...TUESDAY, venue, bring: "madpakke" }]),
    });
    moveTo(AT_48H);
    await scheduler.tick();
    expect(sms()).toEqual([
      "+4520000001: Påmindelse: Møde m1 er tirsdag den 14. april kl. 17-21 på Eksempelby Bibliotek, Salen, Biblioteksvej 3, 4000 Eksempelby. Husk madpakke. Svar NEJ, hvis du er forhindret.",
    ]);
  });

  it("holds a due reminder through the quiet hours", async () => {
    const { scheduler, moveTo, sms } = await setup();
    // Sunday 12 April 21:30: the 48-hour reminder (17:00) is due, but it is night.
    moveTo(new Date("2026-04-12T19:30:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(scheduler.status().overdue).toBe(1);
    expect(sms()).toEqual([]);
    moveTo(new Date("2026-04-13T06:00:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
  });

  it("sends only the latest due reminder after a long stop, and records the earlier as superseded", async () => {
    const { scheduler, moveTo, sms, ledger } = await setup();
    moveTo(new Date(AT_3H.getTime() + 60_000));
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 1, failed: 0 });
    // Three hours before, only the time and the place.
    expect(sms()).toEqual([
      "+4520000001: Vi ses i dag kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.",
    ]);
    expect(ledger()).toEqual([`p1 ${KEY_48} skipped superseded`, `p1 ${KEY_3} sent`]);
  });

  it("skips, and records, the reminders of a session that began while it was stopped", async () => {
    const { scheduler, moveTo, sms, ledger } = await setup();
    moveTo(new Date("2026-04-14T15:30:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 2, failed: 0 });
    expect(sms()).toEqual([]);
    expect(ledger()).toEqual([`p1 ${KEY_48} skipped session-begun`, `p1 ${KEY_3} skipped session-begun`]);
  });

  it("never sends a reminder for the old time of a moved session", async () => {
    const { restart, moveTo, sms } = await setup();
    const moved = restart(assemblyWith([{ ...TUESDAY, date: "2026-04-21" }]));
    moveTo(AT_48H);
    expect(await moved.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([]);
    expect(moved.status().nextDueAt).toBe("2026-04-19T15:00:00.000Z");
  });

  it("lets an opt-out or absence that arrives between planning and sending win", async () => {
    const { store, scheduler, moveTo, sms } = await setup({ members: [{}, {}, {}] });
    moveTo(AT_48H);
    // Two members change their minds after the plan is made, before the claims are written.
    beforeFirstWrite(store, (data) => {
      setOptOut(data, "p2", true, { actor: "member", channel: "sms" }, AT_48H);
      setAttendance(
        data,
        { participantId: "p3", sessionId: "m1", status: "absent" },
        { actor: "member" },
        AT_48H,
      );
    });
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(sms()).toEqual([`+4520000001: ${TEXT_48}`]);
  });

  it("keeps no ledger row for a member erased while their reminder went out", async () => {
    const { store, scheduler, moveTo, ledger } = await setup();
    moveTo(AT_48H);
    duringFirstSend(store, (data) =>
      eraseParticipant(data, { participantId: "p1", actor: "member", now: AT_48H, secret: store.secret }),
    );
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(ledger()).toEqual([]);
    expect(store.data.participants.length).toBe(0);
  });

  it("marks a claim a stop interrupted as uncertain and never sends it again", async () => {
    const { store, scheduler, restart, moveTo, sms, ledger } = await setup();
    moveTo(AT_48H);
    await store.update((data) =>
      data.reminderJobs.push({
        id: KEY_48,
        participantId: "p1",
        sessionId: "m1",
        kind: "reminder",
        plannedFor: AT_48H.toISOString(),
        status: "sending",
        lease: { owner: "the process that died", until: new Date(AT_48H.getTime() + 120_000).toISOString() },
        updatedAt: AT_48H.toISOString(),
      }),
    );
    const next = restart();
    expect(await next.recoverInterrupted()).toBe(1);
    expect(await next.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([]);
    expect(ledger()).toEqual([`p1 ${KEY_48} uncertain stopped-while-sending`]);
  });

  it("thanks the members of an evening session the next morning, and says i går", async () => {
    const { scheduler, moveTo, sms, ledger } = await setup();
    moveTo(new Date("2026-04-15T06:00:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 2, failed: 0 });
    expect(sms()).toEqual([
      "+4520000001: Tak, fordi du var med i går. Vi vil gerne høre, hvordan mødet var for dig. Vi skriver snart med et par korte spørgsmål.",
    ]);
    expect(ledger().at(-1)).toBe("p1 feedback:m1@2026-04-14T15:00:00.000Z sent");
  });

  it("thanks the members of a Saturday session the same afternoon, and says i dag", async () => {
    const { scheduler, moveTo, sms } = await setup({
      assembly: assemblyWith([{ id: "m1", date: "2026-04-18", start: "10:00", end: "16:00" }]),
    });
    moveTo(new Date("2026-04-18T14:30:00Z"));
    await scheduler.tick();
    expect(sms()).toEqual([
      "+4520000001: Tak, fordi du var med i dag. Vi vil gerne høre, hvordan mødet var for dig. Vi skriver snart med et par korte spørgsmål.",
    ]);
  });

  it("nudges once the invited members who have not answered, and no one who has", async () => {
    const { scheduler, moveTo, sms } = await setup({
      assembly: assemblyWith([TUESDAY], {}, "2026-04-07"),
      members: [{ invitation: "invited" }, { invitation: "accepted" }],
    });
    moveTo(new Date("2026-04-04T08:00:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([
      "+4520000001: Hej igen. Vi mangler dit svar på invitationen til Borgersamlingen om klima og grøn omstilling. Vil du være med? Svar JA eller NEJ senest tirsdag den 7. april.",
    ]);
  });

  it("tells the members once that a session was moved, at the next allowed hour", async () => {
    const { store, restart, moveTo, sms } = await setup({ members: [{}, { invitation: "declined" }] });
    const moved = assemblyWith([{ ...TUESDAY, date: "2026-04-21" }]);
    await store.update((data) =>
      recordScheduleChanges(data, assemblyWith([TUESDAY]), new Date("2026-04-01T10:00:00Z")),
    );
    // The organizers move the session on a Friday evening; the server restarts at 22:00.
    const at = new Date("2026-04-10T20:00:00Z");
    expect(await store.update((data) => recordScheduleChanges(data, moved, at))).toBe(1);
    const scheduler = restart(moved);
    moveTo(at);
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    moveTo(new Date("2026-04-11T06:00:00Z"));
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sms()).toEqual([
      "+4520000001: Mødet tirsdag den 14. april er flyttet til tirsdag den 21. april kl. 17-21 på Rådhuset, Byrådssalen. Svar NEJ, hvis du er forhindret.",
    ]);
  });

  it("tells the members that a session was cancelled, and sends no reminder for it", async () => {
    const { store, restart, moveTo, sms } = await setup();
    const cancelled = assemblyWith([{ ...TUESDAY, cancelled: true }]);
    await store.update((data) =>
      recordScheduleChanges(data, assemblyWith([TUESDAY]), new Date("2026-04-01T10:00:00Z")),
    );
    expect(
      await store.update((data) => recordScheduleChanges(data, cancelled, new Date("2026-04-12T10:00:00Z"))),
    ).toBe(1);
    const scheduler = restart(cancelled);
    moveTo(AT_48H);
    expect(await scheduler.tick()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(sms()).toEqual([
      "+4520000001: Mødet tirsdag den 14. april er aflyst. Vi skriver til dig, hvis der kommer en ny dato.",
    ]);
  });

  it("records a reminder that could not be sent as failed", async () => {
    const { scheduler, moveTo, ledger } = await setup({ members: [{ phone: undefined }] });
    moveTo(AT_48H);
    expect(await scheduler.tick()).toEqual({ sent: 0, skipped: 0, failed: 1 });
    expect(ledger()).toEqual([`p1 ${KEY_48} failed not-delivered`]);
  });
});
