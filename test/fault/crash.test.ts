import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readDataFile } from "../../bot/store/store.js";
import type { DbData } from "../../bot/store/schema.js";
import { postSms, smsParams, twimlMessages } from "../helpers/http.js";
import { organizerApi } from "../helpers/organizerApi.js";
import { freePort, killAllServerProcesses, ServerProcess } from "../helpers/serverProcess.js";

/**
 * kill -9 the real server (a child process) at random moments while members answer their
 * invitation by signed SMS, and restart it at once, again and again. After every restart:
 * the first start succeeds (the dead process's lock is taken over), the data file reads, every
 * message sent is in the journal and done, every reply is in the outbox in the order it was
 * given, and the member's invitation and attendance are what their last confirming reply said.
 *
 * The "Twilio" here does what Twilio does: a webhook whose HTTP call failed (the kill cut it)
 * is sent again with the same MessageSid, once the server is back.
 */

const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MEMBERS = ["+4520100001", "+4520100002", "+4520100003", "+4520100004"];
const BODIES = ["ja", "nej", "kan ikke komme", "ja alligevel"];
/** After the kill: when nothing is journaled, nothing needs recovering. */
const READY_TIMEOUT_MS = 30_000;

/** mulberry32: a small seeded generator, so a failing run can be repeated with CRASH_SEED. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const da = JSON.parse(
  await readFile(new URL("../../locales/da/translation.json", import.meta.url), "utf8"),
) as {
  rsvp: Record<string, string>;
  attendance: Record<string, string>;
  errors: Record<string, string>;
};
/** The fixed start of a Danish text, up to its first placeholder. */
const opening = (text: string) => text.split("{{")[0]!;

/** What a reply says the member's state now is, or null for a reply that confirms nothing. */
function confirms(reply: string): "accepted" | "declined" | "maybe" | "absent" | "needs" | null {
  const startsWith = (text: string) => reply.startsWith(opening(text));
  if (
    startsWith(da.rsvp.accepted!) ||
    startsWith(da.rsvp.reconsider!) ||
    startsWith(da.rsvp.alreadyAccepted!)
  )
    return "accepted";
  if (startsWith(da.rsvp.declined!)) return "declined";
  if (startsWith(da.rsvp.maybe!)) return "maybe";
  if (startsWith(da.attendance.absent!)) return "absent";
  if (startsWith(da.rsvp.needsSaved!)) return "needs";
  return null;
}

/** The state a member's replies, in the order they were given, add up to. */
function stateFromReplies(replies: string[]): { invitation: string; absent: boolean; needs: boolean } {
  const state = { invitation: "invited", absent: false, needs: false };
  for (const reply of replies) {
    const said = confirms(reply);
    if (said === "accepted" || said === "declined") state.invitation = said;
    // "Maybe" changes only an open invitation; to an accepted or declined member it is just a reply.
    if (said === "maybe" && (state.invitation === "invited" || state.invitation === "maybe"))
      state.invitation = "maybe";
    if (said === "absent") state.absent = true;
    if (said === "needs") state.needs = true;
  }
  return state;
}

interface Turn {
  sid: string;
  member: string;
  params: Record<string, string>;
  /** The TwiML replies, once an answer arrived (first try or redelivery). */
  replies?: string[];
  /** The HTTP call was cut by a kill, and the redelivery got empty TwiML. */
  answeredLater?: boolean;
}

let dir: string | undefined;

afterEach(async () => {
  await killAllServerProcesses();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the server killed with kill -9 at random moments", () => {
  it(`restarts at once every time and keeps every message and every confirmed change (${KILLS} kills)`, async () => {
    // The seed repeats each member's messages and the kill delays; where a kill lands in a
    // turn still depends on the machine's timing.
    const killDelay = seeded(SEED);
    const bodies = MEMBERS.map((_, index) => seeded(SEED + index + 1));
    console.log(`crash test: seed ${SEED} (repeat with CRASH_SEED=${SEED}), ${KILLS} kills`);
    const started = Date.now();
    dir = await mkdtemp(join(tmpdir(), "borgerbot-crash-"));
    const dbFile = join(dir, "db.json");
    const port = await freePort();
    const spawnHeld = () => ServerProcess.spawn({ dbFile, port, hold: true });
    const figures = {
      kills: 0,
      turnsSent: 0,
      answeredFirstTry: 0,
      confirmations: 0,
      cutByKill: 0,
      redeliveredAndRun: 0,
      redeliveredEmpty: 0,
      unfinishedAtCrash: 0,
      recoveredReplies: 0,
      appliedReplyLost: 0,
    };
    const restartMs: number[] = [];
    const warmupMs: number[] = [];
    /** Printed also when a check fails, with the figures up to then. */
    const report = () => {
      const sorted = [...restartMs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        [
          `crash test: seed ${SEED}, ${figures.kills} kills in ${Math.round((Date.now() - started) / 1000)} s`,
          `  turns sent ${figures.turnsSent}, answered on the first try ${figures.answeredFirstTry}, confirmations checked against the store ${figures.confirmations}`,
          `  cut by a kill ${figures.cutByKill}: redelivered and run then ${figures.redeliveredAndRun}, redelivered to empty TwiML ${figures.redeliveredEmpty}`,
          `  journaled but unfinished at a crash ${figures.unfinishedAtCrash}, their replies sent after the restart ${figures.recoveredReplies}`,
          `  applied before the kill with the reply lost in the cut response ${figures.appliedReplyLost}`,
          `  restart (release of a loaded process to healthy) ms: min ${sorted[0]}, median ${median}, max ${sorted[sorted.length - 1]}`,
          `  module load of a held process ms: median ${[...warmupMs].sort((a, b) => a - b)[Math.floor(warmupMs.length / 2)]}`,
        ].join("\n"),
      );
    };
    try {
      let server = spawnHeld();
      await server.release();
      await server.ready(60_000);
      const api = organizerApi(server.baseUrl);
      const csv = ["navn;telefon", ...MEMBERS.map((phone, i) => `Medlem ${i + 1};${phone}`)].join("\n");
      const imported = await api.importCsv(csv);
      expect(await imported.json()).toEqual({ imported: MEMBERS.length, updated: 0, rejected: [] });
      // The server runs on the real clock, which may be in the quiet hours.
      expect(await api.invite({ force: true })).toEqual({ sent: MEMBERS.length, skipped: 0, remaining: 0 });

      const turns: Turn[] = [];
      /** Per member, how many of its outbox replies are accounted for by a checked turn. */
      const checkedReplies = new Map(MEMBERS.map((phone) => [phone, 0]));
      /** Per member, the turns not yet checked against the outbox, in the order sent. */
      const unchecked = new Map<string, Turn[]>(MEMBERS.map((phone) => [phone, []]));
      // Loading the server's modules takes seconds of CPU: two spares load while a server serves.
      const spares = [spawnHeld(), spawnHeld()].map((process) => ({ process, spawnedAt: Date.now() }));

      for (let round = 1; round <= KILLS; round++) {
        // Members answer, each one message at a time, all at once, until the kill.
        let stopping = false;
        const member = async (phone: string, random: () => number) => {
          while (!stopping) {
            const body = BODIES[Math.floor(random() * BODIES.length)]!;
            const turn: Turn = { sid: "", member: phone, params: {} };
            turn.params = smsParams(phone, body, `SM${String(turns.length).padStart(32, "0")}`);
            turn.sid = turn.params.MessageSid!;
            turns.push(turn);
            unchecked.get(phone)!.push(turn);
            figures.turnsSent++;
            let res: Response;
            let xml: string;
            try {
              res = await postSms(server.baseUrl, turn.params);
              xml = await res.text();
            } catch (error) {
              // Only the kill may cut a call; it is sent again after the restart.
              if (!stopping) throw error;
              figures.cutByKill++;
              return;
            }
            expect(res.status, xml).toBe(200);
            turn.replies = twimlMessages(xml);
            figures.answeredFirstTry++;
          }
        };
        // The next server must have loaded its modules, so that the restart measures the start.
        const spare = spares.shift()!;
        await spare.process.waitForLine((line) => line.includes("test: modules loaded"), 120_000);
        warmupMs.push(Date.now() - spare.spawnedAt);
        const traffic = Promise.all(MEMBERS.map((phone, index) => member(phone, bodies[index]!)));
        await new Promise((resolve) => setTimeout(resolve, 20 + killDelay() * 780));
        stopping = true;
        const killed = server.pid;
        await server.kill9();
        figures.kills++;
        await traffic;

        // The files as the crash left them, before anything repairs them.
        const atCrash = await readDataFile(dbFile);
        const unfinished = atCrash.inbound.filter((entry) => entry.status === "received").length;
        figures.unfinishedAtCrash += unfinished;

        server = spare.process;
        const releasedAt = Date.now();
        await server.release();
        await server.ready(READY_TIMEOUT_MS);
        restartMs.push(Date.now() - releasedAt);
        await server.waitForLine(
          (line) => line.includes(`took over the stale lock of pid ${killed} `),
          1_000,
        );
        expect(server.output).not.toContain("in use by another");
        if (round + spares.length < KILLS) spares.push({ process: spawnHeld(), spawnedAt: Date.now() });

        // Twilio sends again what the kill cut, with the same sid.
        await Promise.all(
          turns
            .filter((turn) => turn.replies === undefined)
            .map(async (turn) => {
              const res = await postSms(server.baseUrl, turn.params);
              const xml = await res.text();
              expect(res.status, xml).toBe(200);
              const replies = twimlMessages(xml);
              if (replies.length > 0) {
                turn.replies = replies;
                figures.redeliveredAndRun++;
              } else {
                // A journaled sid: its turn ran before the kill, or runs again at this start.
                turn.replies = [];
                turn.answeredLater = true;
                figures.redeliveredEmpty++;
              }
            }),
        );
        if (unfinished > 0) {
          await server.waitForLine(
            (line) => line.includes("ran sms turns a restart had interrupted"),
            READY_TIMEOUT_MS,
          );
          const line = server.output
            .split("\n")
            .find((entry) => entry.includes("ran sms turns a restart had interrupted"))!;
          expect((JSON.parse(line) as { count: number }).count).toBe(unfinished);
        }

        const data = await readDataFile(dbFile);
        checkRound(data, round);
      }

      function checkRound(data: DbData, round: number) {
        const where = `round ${round} (seed ${SEED})`;
        // Every message sent is in the journal, and done: applied exactly once.
        const journal = new Map(data.inbound.map((entry) => [entry.sid, entry.status]));
        expect(
          turns.filter((turn) => journal.get(turn.sid) !== "done").map((turn) => turn.sid),
          where,
        ).toEqual([]);
        for (const phone of MEMBERS) {
          const rows = data.outbox.filter((row) => row.to === phone && row.purpose === "reply");
          const texts = rows.map((row) => row.text);
          // The replies of the turns since the last check follow the ones checked before, in order.
          let at = checkedReplies.get(phone)!;
          for (const turn of unchecked.get(phone)!) {
            if (!turn.answeredLater) {
              expect(texts.slice(at, at + turn.replies!.length), `${where} ${phone} ${turn.sid}`).toEqual(
                turn.replies,
              );
              at += turn.replies!.length;
              figures.confirmations += turn.replies!.filter((reply) => confirms(reply) !== null).length;
              expect(turn.replies, where).not.toContain(da.errors.generic);
              continue;
            }
            // Cut by the kill, journaled: its reply was kept with its turn, or sent after the restart.
            const later = rows.slice(at);
            expect(later.length, `${where} ${phone} ${turn.sid}: no reply kept or sent`).toBeGreaterThan(0);
            figures.recoveredReplies += later.filter((row) => row.status === "dry-run").length;
            if (later.some((row) => row.status === "sent")) figures.appliedReplyLost++;
            turn.replies = later.map((row) => row.text);
            at = rows.length;
          }
          expect(at, `${where} ${phone}: replies in the outbox that no turn gave`).toBe(rows.length);
          checkedReplies.set(phone, at);
          unchecked.set(phone, []);

          const participant = data.participants.find((entry) => entry.phone === phone)!;
          const expected = stateFromReplies(texts);
          const absences = data.attendance.filter(
            (entry) => entry.participantId === participant.id && entry.status === "absent",
          );
          expect(
            {
              invitation: participant.invitation,
              absent: absences.length > 0,
              needs: Boolean(participant.needs),
            },
            `${where} ${phone}: the store against the member's replies ${JSON.stringify(texts)}`,
          ).toEqual(expected);
        }
      }

      expect(figures.kills).toBe(KILLS);
      expect(figures.cutByKill).toBe(figures.redeliveredAndRun + figures.redeliveredEmpty);
    } finally {
      report();
      await killAllServerProcesses();
    }
  }, 420_000);
});
