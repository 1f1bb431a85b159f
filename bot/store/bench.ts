import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setInvitation } from "../domain/attendance.js";
import { summarizeLatency } from "../nlu/latency.js";
import { emptyDb, type DbData } from "./schema.js";
import { Store } from "./store.js";

/*
 * npm run bench (store part): what one SMS turn's commit costs as the assembly grows, and the
 * size of the files. Each commit is what a "ja" by SMS writes: the journal entry, the
 * invitation change and its history row, the dialog state, the outbox reply, the journal's
 * done mark.
 */

// The last case grows the history tenfold at 10,000 members: the cost should stay flat.
const CASES = [
  { participants: 1_000, historyPerParticipant: 10 },
  { participants: 10_000, historyPerParticipant: 10 },
  { participants: 100_000, historyPerParticipant: 10 },
  { participants: 10_000, historyPerParticipant: 100 },
];
const COMMITS = 200;
const now = () => new Date("2026-12-02T10:00:00Z");
const stateKey = (phone: string) => `sms/conversations/${phone}/`;

function seed(participants: number, historyPerParticipant: number): DbData {
  const data = emptyDb(now());
  const at = now().toISOString();
  for (let i = 0; i < participants; i++) {
    const id = randomUUID();
    const phone = `+45${String(20_000_000 + i)}`;
    data.participants.push({
      id,
      name: `Deltager ${i}`,
      phone,
      language: "da",
      createdAt: at,
      onList: true,
      invitation: "invited",
      optedOut: false,
    });
    data.identities.push({ channel: "sms", key: phone, participantId: id });
    data.botState.push({ key: stateKey(phone), eTag: "1", value: { dialogState: { dialogStack: [] } } });
    for (let h = 0; h < historyPerParticipant; h++)
      data.history.push({ at, participantId: id, channel: "sms", actor: "system", change: "invitation" });
  }
  return data;
}

async function smsTurnCommit(
  store: Store,
  participant: { id: string; phone?: string },
  n: number,
): Promise<void> {
  const sid = `SM${n}`;
  const at = now().toISOString();
  await store.update((data) =>
    data.inbound.push({
      sid,
      channel: "sms",
      from: participant.phone,
      body: "ja",
      receivedAt: at,
      status: "received",
      attempts: 0,
    }),
  );
  await store.runTurn(async () => {
    await store.update((data) => {
      setInvitation(
        data,
        participant.id,
        n % 2 ? "accepted" : "declined",
        { actor: "member", channel: "sms" },
        now(),
      );
      data.outbox.push({
        id: randomUUID(),
        channel: "sms",
        to: participant.phone ?? "",
        participantId: participant.id,
        purpose: "reply",
        text: "Tak for dit svar. Vi glæder os til at se dig.",
        status: "sent",
        createdAt: at,
        updatedAt: at,
      });
      const state = data.botState.find((item) => item.key === stateKey(participant.phone ?? ""));
      if (state) Object.assign(state, { eTag: String(n), value: { dialogState: { dialogStack: [] } } });
      const entry = data.inbound.find((candidate) => candidate.sid === sid);
      if (entry) Object.assign(entry, { status: "done", doneAt: at, from: undefined, body: undefined });
    });
  });
}

async function measure({ participants, historyPerParticipant }: (typeof CASES)[number]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "borgerbot-store-bench-"));
  try {
    const file = join(dir, "db.json");
    await writeFile(file, JSON.stringify(seed(participants, historyPerParticipant)));
    const opening = performance.now();
    const store = await Store.open({ file, now });
    const openMs = performance.now() - opening;
    const people = store.data.participants.toArray();
    const durations: number[] = [];
    for (let n = 0; n < COMMITS; n++) {
      const started = performance.now();
      await smsTurnCommit(store, people[(n * 7919) % people.length]!, n);
      durations.push(performance.now() - started);
    }
    const { medianMs, p95Ms } = summarizeLatency(durations);
    const snapshotMb = (await stat(file)).size / 1e6;
    const logKb = (await stat(`${file}.wal`)).size / 1e3;
    await store.close();
    return `| ${participants.toLocaleString("en")} | ${(participants * historyPerParticipant).toLocaleString("en")} | ${medianMs.toFixed(2)} | ${p95Ms.toFixed(2)} | ${snapshotMb.toFixed(1)} | ${(logKb / COMMITS).toFixed(2)} | ${Math.round(openMs)} |`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `store: one SMS turn (2 commits: journal, then the turn, each fdatasynced), ${COMMITS} turns; goal: a commit <= 10 ms at 10,000 members, flat as history grows`,
);
console.log(
  "| participants | history rows | turn median ms | turn p95 ms | snapshot MB | log KB per turn | open ms |",
);
console.log("|---|---|---|---|---|---|---|");
for (const size of CASES) console.log(await measure(size));
