import { readDataFile } from "../../bot/store/store.js";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botActivity, postJson } from "../helpers/http.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

/*
 * Conversations as tables of [member says, bot replies], through the local chat endpoint with
 * the real classifier. The clock is Saturday 28 November 2026; the demo's first session is
 * Tuesday 15 December at the Rådhuset.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const ORGANIZER_AAD = "11111111-2222-3333-4444-555555555555";
let server: TestServer;
let bare: TestServer;

type Reply = { text?: string; attachments?: Array<{ content: { body: Array<{ text: string }> } }> };

async function say(target: TestServer, userId: string, text: string): Promise<string[]> {
  const res = await postJson(`${target.baseUrl}/api/local/messages`, { userId, text });
  expect(res.status).toBe(200);
  const { activities } = (await res.json()) as { activities: Reply[] };
  return activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
  );
}

async function conversation(
  target: TestServer,
  userId: string,
  table: Array<[string, string | RegExp]>,
): Promise<void> {
  for (const [text, expected] of table) {
    const replies = await say(target, userId, text);
    if (typeof expected === "string") expect(replies.at(-1), `after "${text}"`).toBe(expected);
    else expect(replies.at(-1), `after "${text}"`).toMatch(expected);
  }
}

beforeAll(async () => {
  server = await startTestServer({ now: NOW, env: { ORGANIZERS: ORGANIZER_AAD } });
  // An assembly file that says nothing about compensation or food.
  const assembly = JSON.parse(await readFile("data/assembly.json", "utf8")) as Record<string, unknown>;
  delete assembly.compensation;
  delete (assembly.info as Record<string, unknown>).food;
  const file = join(await mkdtemp(join(tmpdir(), "borgerbot-assembly-")), "assembly.json");
  await writeFile(file, JSON.stringify(assembly));
  bare = await startTestServer({ now: NOW, env: { ASSEMBLY_FILE: file } });
});
afterAll(async () => {
  await server.cleanup();
  await bare.cleanup();
});

describe("answers from the assembly's content", () => {
  it.each([
    ["hej", "Hej. Hvad vil du gerne vide om borgersamlingen?"],
    [
      "hvornaar er naeste moede",
      /^Næste møde er tirsdag den 15\. december kl\. 17-21 på Rådhuset, Byrådssalen\. Der er 5 møder tilbage/,
    ],
    [
      "hvor skal jeg moede op",
      /^Næste møde er tirsdag den 15\. december kl\. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby\./,
    ],
    ["hvad faar jeg i honorar", /^Du får 600 kr\. for hvert møde/],
    ["kan jeg parkere ved raadhuset", /^Du kan parkere gratis i P-huset/],
    ["er der mad", /^Vi serverer aftensmad/],
    ["jeg sidder i koerestol, er der elevator", /^Alle mødesteder har elevator/],
    ["hvordan blev jeg udvalgt", /^Du er trukket ved lodtrækning/],
    [
      "påvirker honoraret mine dagpenge",
      /^Godtgørelsen kan påvirke kontanthjælp, dagpenge, SU og pension.*Mette Jensen på telefon 33 12 34 56/,
    ],
    [
      "hvem kan jeg ringe til",
      "Du kan kontakte Mette Jensen på telefon 33 12 34 56 eller borgersamling@eksempel.dk.",
    ],
    ["tak", "Selv tak. Skriv endelig, hvis der er mere."],
  ])('answers "%s"', async (question, expected) => {
    await conversation(server, "faq-user", [[question, expected]]);
  });
});

describe("handoff to the organizers", () => {
  it("says it does not know, and puts an out-of-scope question in the inbox before saying so", async () => {
    await conversation(server, "handoff-user", [
      [
        "hvem vinder superligaen i år",
        "Det ved jeg ikke. Jeg har sendt dit spørgsmål videre til sekretariatet, som svarer dig inden for en hverdag.",
      ],
    ]);
    const data = await readDataFile(server.dbFile);
    expect(data.inbox.at(-1)).toMatchObject({
      text: "hvem vinder superligaen i år",
      reason: "unknown-topic",
      channel: "local",
      status: "open",
    });
  });

  it("hands over when someone asks for a person", async () => {
    await conversation(server, "handoff-user", [
      [
        "kan jeg tale med et menneske",
        "Jeg har bedt sekretariatet om at kontakte dig. Du hører fra os inden for en hverdag.",
      ],
    ]);
  });

  it("never guesses when the assembly file says nothing on the topic", async () => {
    await conversation(bare, "bare-user", [
      [
        "hvad faar jeg i honorar",
        /^Det har jeg ikke noget svar på endnu\. Jeg har sendt dit spørgsmål videre/,
      ],
      ["er der mad", /^Det har jeg ikke noget svar på endnu/],
    ]);
    const data = await readDataFile(bare.dbFile);
    expect(data.inbox.map((item) => item.reason)).toEqual(["missing-content", "missing-content"]);
  });
});

describe("language", () => {
  it("switches to English and back on request", async () => {
    await conversation(server, "lang-user", [
      ["english please", "OK, I will write in English from now on."],
      [
        "when is the next meeting",
        /^The next meeting is Tuesday 15 December 17:00-21:00 at Rådhuset, Byrådssalen/,
      ],
      ["dansk tak", "Fint, jeg skriver på dansk fra nu af."],
    ]);
  });
});

describe("organizers in Teams", () => {
  async function teams(text: string, aadObjectId: string): Promise<string[]> {
    const res = await postJson(
      `${server.baseUrl}/api/messages`,
      botActivity(text, {
        channelId: "msteams",
        from: { id: `29:${aadObjectId}`, aadObjectId },
        conversation: { id: `a:${aadObjectId}` },
      }),
    );
    const { activities } = (await res.json()) as { activities: Reply[] };
    return activities.map(
      (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text ?? "",
    );
  }

  it("lists open questions and answers one on the member's channel", async () => {
    await say(server, "asker", "må jeg tage min kanin med");
    const listing = (await teams("indbakke", ORGANIZER_AAD)).at(-1)!;
    expect(listing).toMatch(/^Der er \d+ åbne spørgsmål:/);
    const id = /\[([0-9a-f]{6})\] [^\n]*må jeg tage min kanin med/.exec(listing)![1]!;
    expect((await teams(`svar ${id} Ja, kaniner er velkomne.`, ORGANIZER_AAD)).at(-1)).toBe(
      `Dit svar er sendt, og spørgsmålet ${id} er markeret som besvaret.`,
    );
    const poll = (await (
      await fetch(`${server.baseUrl}/api/local/messages?userId=asker&after=0`)
    ).json()) as { activities: Reply[] };
    expect(poll.activities.map((activity) => activity.text)).toEqual([
      "Svar fra sekretariatet: Ja, kaniner er velkomne.",
    ]);
  });

  it("treats the same commands from anyone else as ordinary messages", async () => {
    const replies = await teams("indbakke", "99999999-2222-3333-4444-555555555555");
    expect(replies.at(-1)).not.toMatch(/åbne spørgsmål/);
  });
});
