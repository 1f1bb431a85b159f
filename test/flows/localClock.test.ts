import { describe, expect, it } from "vitest";
import { useFreshFlowServer } from "../helpers/flowServer.js";
import { startTestServer } from "../helpers/testServer.js";
import { postSms, smsParams, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, twimlMessages } from "../helpers/http.js";
import { sayOnLocalPage } from "../helpers/localPage.js";

/*
 * `tid +2d` on the local page moves the bot's clock. With the clock at Saturday 28 November
 * 2026, 11:00 in Copenhagen, the demo's first session is Tuesday 15 December kl. 17-21; its
 * 48-hour reminder is due Sunday 13 December at 17:00 in Copenhagen, 15 days and 6 hours on.
 */
const NOW = new Date("2026-11-28T10:00:00Z");
const REMINDER =
  "Påmindelse: Velkommen og introduktion er tirsdag den 15. december kl. 17-21 på Rådhuset, Byrådssalen, Torvet 1, 4000 Eksempelby. Svar NEJ, hvis du er forhindret.";

const flow = useFreshFlowServer({ now: NOW });

const local = (text?: string) => sayOnLocalPage(flow.server.baseUrl, text);

interface PolledActivity {
  text?: string;
  attachments?: Array<{ content: { body: Array<{ text: string }> } }>;
}

/** What the page's poll brings, outside a turn: each message's text, also a card's. */
async function polled(): Promise<Array<string | undefined>> {
  // The tick `tid` starts runs after its turn; the poll comes once it is over.
  await flow.server.app.betweenTicks();
  const res = await fetch(`${flow.server.baseUrl}/api/local/messages?userId=prove-bruger&after=0`);
  return ((await res.json()) as { activities: PolledActivity[] }).activities.map(
    (activity) => activity.text ?? activity.attachments?.[0]?.content.body[0]?.text,
  );
}

describe("tid on the local page", () => {
  it("shows the bot's time, moves it forward by days, hours and minutes, and sets it back", async () => {
    await local();
    expect(await local("tid")).toEqual([
      "Botten er lørdag den 28. november kl. 11.00. Skriv fx tid +2d, tid +3t eller tid +30m for at flytte tiden frem, og tid nu for at gå tilbage til den rigtige tid.",
    ]);
    expect(await local("tid +2d")).toEqual(["Botten er nu mandag den 30. november kl. 11.00."]);
    expect(await local("TID +3t")).toEqual(["Botten er nu mandag den 30. november kl. 14.00."]);
    expect(await local("tid +30m")).toEqual(["Botten er nu mandag den 30. november kl. 14.30."]);
    expect(await local("tid nu")).toEqual([
      "Botten følger den rigtige tid igen: lørdag den 28. november kl. 11.00.",
    ]);
  });

  it("sends a reminder that became due at once to the page's member, who can answer NEJ to it", async () => {
    await local();
    await local("ja");
    await local("nej tak");
    expect(await local("tid +15d")).toEqual(["Botten er nu søndag den 13. december kl. 11.00."]);
    expect(await polled()).toEqual([]);
    expect(await local("tid +6t")).toEqual(["Botten er nu søndag den 13. december kl. 17.00."]);
    expect(await polled()).toEqual([REMINDER]);
    expect(await local("nej")).toEqual([
      "Tak for besked. Vi har noteret, at du ikke kommer tirsdag den 15. december kl. 17-21.",
    ]);
    const [reminder] = (await flow.db()).outbox.filter((message) => message.purpose === "reminder");
    expect(reminder).toMatchObject({ channel: "local", createdAt: "2026-12-13T16:00:00.000Z" });
  });

  it("brings the thank-you after a session the member came to", async () => {
    await local();
    await local("ja");
    await local("nej tak");
    expect(await local("tid +18d")).toEqual(["Botten er nu onsdag den 16. december kl. 11.00."]);
    // The reminders' moments passed while the clock jumped: only the thank-you is still due.
    expect(await polled()).toEqual([
      "Tak, fordi du var med i går. Vi vil gerne høre, hvordan mødet var for dig. Vi skriver snart med et par korte spørgsmål.",
    ]);
  });
});

describe("tid outside local mode", () => {
  it("is text like any other, and the clock stays", async () => {
    const server = await startTestServer({
      now: NOW,
      env: {
        TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
        TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        TWILIO_FROM: "+4570000000",
        PUBLIC_URL: TEST_PUBLIC_URL,
      },
      twilioApi: { create: async () => ({ sid: "SM1", status: "queued" }) },
    });
    try {
      const res = await postSms(server.baseUrl, smsParams("+4520304050", "tid +2d"));
      // "tid" is Danish for time: the bot reads it as a question about the next session.
      expect(twimlMessages(await res.text())).toEqual([
        "Hej. Det er Eksempel Kommune. Du kan skrive til os om Borgersamlingen om klima og grøn omstilling, fx hvornår og hvor vi mødes.",
        "Næste møde er tirsdag den 15. december kl. 17-21 på Rådhuset, Byrådssalen. Der er 5 møder tilbage: 15. december, 26. december, 7. januar, 23. januar og 13. februar.",
      ]);
      await server.app.scheduler.tick();
      const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as {
        scheduler: { lastTickAt: string };
      };
      expect(health.scheduler.lastTickAt).toBe(NOW.toISOString());
    } finally {
      await server.cleanup();
    }
  });
});
