import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOrganizerDirectory } from "../bot/domain/organizers.js";
import { findParticipant } from "../bot/domain/participants.js";
import { planMessages } from "../bot/domain/reminderPlan.js";
import { createReminderScheduler } from "../bot/domain/reminderScheduler.js";
import { createTranslations } from "../bot/i18n/i18n.js";
import { createLogger } from "../bot/logger.js";
import { summarizeLatency } from "../bot/nlu/latency.js";
import { createOutbound } from "../bot/outbound/outbound.js";
import { createTwilioTransport } from "../bot/sms/smsTransport.js";
import { emptyDb } from "../bot/store/schema.js";
import { Store } from "../bot/store/store.js";
import { startFakeTwilioApi } from "../test/helpers/fakeTwilioApi.js";
import { assemblyWith } from "../test/helpers/reminderAssembly.js";

/*
 * npm run bench (reminder part): 10,000 accepted members, 6 sessions, 3 automatic messages
 * each (the 48- and 3-hour reminders, the feedback request): 180,000 messages, planned and
 * then sent by the scheduler through the outbound pipeline and the real twilio client, to a
 * fake Twilio REST API on loopback with the rate limit lifted, so the bot's own cost is what
 * is measured. Duplicates and missing messages are counted from the fake API's records.
 */

/** BENCH_MEMBERS runs a smaller load for a quick look; the goals are for 10,000. */
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
// Tuesdays 17-21 in winter time; each session's messages fall on their own moments.
const SESSIONS = ["2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23", "2027-03-02", "2027-03-09"].map(
  (date, index) => ({
    id: `m${index + 1}`,
    date,
    start: "17:00",
    end: "21:00",
    venue: { name: `Sal ${index + 1}`, address: "Rådhuspladsen 1" },
  }),
);
const PER_MEMBER = SESSIONS.length * 3;
const GOALS = { planningMs: 2000, perSecond: 500, peakRssMb: 300 };

const phoneOf = (index: number) => `+45${String(20_000_000 + index)}`;

let now = new Date("2027-01-15T10:00:00Z");
const clock = () => now;

function seed() {
  const data = emptyDb(now);
  const at = now.toISOString();
  for (let i = 0; i < MEMBERS; i++) {
    const id = `p${i}`;
    data.participants.push({
      id,
      name: `Deltager ${i}`,
      phone: phoneOf(i),
      language: "da",
      createdAt: at,
      onList: true,
      invitation: "accepted",
      invitationAt: at,
      optedOut: false,
    });
    data.identities.push({ channel: "sms", key: phoneOf(i), participantId: id });
  }
  return data;
}

let peakRss = 0;
const sampling = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const dir = await mkdtemp(join(tmpdir(), "borgerbot-dispatch-bench-"));
const twilio = await startFakeTwilioApi();
try {
  const file = join(dir, "db.json");
  await writeFile(file, JSON.stringify(seed()));
  const sizeBefore = (await stat(file)).size;
  const store = await Store.open({ file, now: clock });
  const assembly = assemblyWith(SESSIONS);
  const logger = createLogger({ level: "silent" });
  const outbound = createOutbound({
    store,
    assembly,
    translate: createTranslations().t,
    clock,
    logger,
    organizers: createOrganizerDirectory([]),
    chat: { send: () => Promise.reject(new Error("bench: no chat")) },
    sms: createTwilioTransport(
      { api: twilio.api, from: "+4570000000", ratePerSecond: Number.POSITIVE_INFINITY },
      logger,
    ),
  });
  const scheduler = createReminderScheduler({ store, assembly, outbound, clock, logger, owner: "bench" });

  const planning = performance.now();
  const plan = planMessages(assembly, store.data);
  const planningMs = performance.now() - planning;
  const moments = [...new Set(plan.map((planned) => planned.dueAt.getTime()))].sort((a, b) => a - b);

  const dispatching = performance.now();
  let sent = 0;
  for (const moment of moments) {
    now = new Date(moment);
    sent += (await scheduler.tick()).sent;
    if (process.env.BENCH_DEBUG) console.error(now.toISOString(), sent, twilio.requests.length);
  }
  const dispatchS = (performance.now() - dispatching) / 1000;

  // From the fake API's records: every member gets exactly their 18 messages.
  const perPhone = new Map<string, number>();
  for (const request of twilio.requests) perPhone.set(request.to, (perPhone.get(request.to) ?? 0) + 1);
  let duplicates = 0;
  let missing = 0;
  for (let i = 0; i < MEMBERS; i++) {
    const got = perPhone.get(phoneOf(i)) ?? 0;
    duplicates += Math.max(0, got - PER_MEMBER);
    missing += Math.max(0, PER_MEMBER - got);
  }
  const strangers = [...perPhone.keys()].filter((phone) => !/^\+452\d{7}$/.test(phone)).length;

  // What one more commit costs at this size: one member's record changed.
  const commits: number[] = [];
  for (let n = 0; n < 100; n++) {
    const started = performance.now();
    await store.update((data) => void (findParticipant(data, `p${n}`)!.needs = "teleslynge"));
    commits.push(performance.now() - started);
  }
  const commit = summarizeLatency(commits);
  await store.close();
  const sizeAfter = (await stat(file)).size;

  const row = (name: string, value: string, goal: string, ok: boolean) =>
    console.log(`| ${name} | ${value} | ${goal} | ${ok ? "ok" : "MISSED"} |`);
  console.log(
    `reminders: ${MEMBERS.toLocaleString("en")} members x ${SESSIONS.length} sessions x 3 messages, planned then sent to a fake Twilio on loopback (no rate limit)`,
  );
  console.log("| measure | value | goal | |");
  console.log("|---|---|---|---|");
  row(
    "planned",
    plan.length.toLocaleString("en"),
    (MEMBERS * PER_MEMBER).toLocaleString("en"),
    plan.length === MEMBERS * PER_MEMBER,
  );
  row(
    "sent (scheduler)",
    sent.toLocaleString("en"),
    (MEMBERS * PER_MEMBER).toLocaleString("en"),
    sent === MEMBERS * PER_MEMBER,
  );
  row("duplicates at Twilio", String(duplicates), "0", duplicates === 0);
  row("missing at Twilio", String(missing), "0", missing === 0);
  row("to numbers not on the list", String(strangers), "0", strangers === 0);
  row(
    "planning",
    `${Math.round(planningMs)} ms`,
    `<= ${GOALS.planningMs} ms`,
    planningMs <= GOALS.planningMs,
  );
  const perSecond = twilio.requests.length / dispatchS;
  row(
    "dispatch",
    `${Math.round(perSecond)} msg/s (${dispatchS.toFixed(1)} s)`,
    `>= ${GOALS.perSecond} msg/s`,
    perSecond >= GOALS.perSecond,
  );
  row(
    "peak RSS",
    `${Math.round(peakRss / 1e6)} MB`,
    `<= ${GOALS.peakRssMb} MB`,
    peakRss / 1e6 <= GOALS.peakRssMb,
  );
  row(
    "data file before / after",
    `${(sizeBefore / 1e6).toFixed(1)} / ${(sizeAfter / 1e6).toFixed(1)} MB`,
    "-",
    true,
  );
  row(
    "one commit at that size",
    `median ${commit.medianMs.toFixed(2)} ms, p95 ${commit.p95Ms.toFixed(2)} ms`,
    "-",
    true,
  );
} finally {
  clearInterval(sampling);
  await twilio.close();
  await rm(dir, { recursive: true, force: true });
}
