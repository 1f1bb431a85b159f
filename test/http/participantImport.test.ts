import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { organizerApi, TEST_ORGANIZER_TOKEN } from "../helpers/organizerApi.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

let server: TestServer;
let api: ReturnType<typeof organizerApi>;

beforeAll(async () => {
  server = await startTestServer({ classify: BASIC_INTENTS, env: { ORGANIZER_TOKEN: TEST_ORGANIZER_TOKEN } });
  api = organizerApi(server.baseUrl);
});
afterAll(() => server.cleanup());

type ImportBody = { imported: number; updated: number; rejected: Array<{ row: number; reason: string }> };

describe("POST /api/organizer/participants", () => {
  it("keeps the good rows of a CSV with broken rows and reports each bad one", async () => {
    const csv = [
      "name,phone,email,language",
      "Grete Gram,+45 30 40 50 60,grete@example.dk,da",
      ",30405061,,",
      "Hans Hansen,1234,,",
      "Ida Ibsen,30405062,not-an-email,",
      'Jens "Quote,30405063,,',
      "Karen Kok,30405064,,fr",
      "Lars Lund,30405065,,en",
      '"Unclosed,30405066,,',
    ].join("\n");
    const body = (await (await api.importCsv(csv)).json()) as ImportBody;
    expect(body.imported).toBe(3);
    expect(body.rejected.map((r) => r.row)).toEqual([3, 4, 5, 7, 9]);
    expect(body.rejected.at(-1)!.reason).toContain("the row could not be read");
    expect(body.rejected.find((r) => r.row === 4)!.reason).toBe('phone "1234" is not a valid phone number');
    const names = (await api.participants()).participants.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["Grete Gram", 'Jens "Quote', "Lars Lund"]));
  });

  it("reads a Latin-1 file from old Excel without mangling æøå", async () => {
    const latin1 = Buffer.from("navn;telefon\nSøren Ærø;30405070\nÅse Øster;30405071\n", "latin1");
    const body = (await (await api.importCsv(new Uint8Array(latin1))).json()) as ImportBody;
    expect(body).toEqual({ imported: 2, updated: 0, rejected: [] });
    const names = (await api.participants()).participants.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["Søren Ærø", "Åse Øster"]));
  });

  it("merges rows with the same phone, within the file and with earlier imports", async () => {
    const body = (await (
      await api.importCsv(
        "name,phone\nSøren Ærø,+4530405070\nMona Moe,30405080\nMona M. Moe,+45 30 40 50 80\n",
      )
    ).json()) as ImportBody;
    expect(body).toEqual({ imported: 1, updated: 1, rejected: [] });
    const mona = (await api.participants()).participants.filter((p) => p.phone === "+4530405080");
    expect(mona).toEqual([expect.objectContaining({ name: "Mona M. Moe" })]);
  });

  it("rejects formula cells and neutralises anything formula-like in exports", async () => {
    const csv =
      'name,phone,email\n"=HYPERLINK(""http://x.example"",""klik"")",30405090,\n@SUM(A1),30405091,\nNina Nord,30405092,\n';
    const body = (await (await api.importCsv(csv)).json()) as ImportBody;
    expect(body.imported).toBe(1);
    expect(body.rejected).toEqual([
      { row: 2, reason: "name looks like a spreadsheet formula" },
      { row: 3, reason: "name looks like a spreadsheet formula" },
    ]);
    const res = await fetch(`${server.baseUrl}/api/organizer/participants?format=csv`, {
      headers: { authorization: `Bearer ${TEST_ORGANIZER_TOKEN}` },
    });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split("\r\n")[0]).toBe("id;name;phone;email;language;invitation;opted_out;needs");
    expect(text).toContain(";'+4530405092;");
  });

  it("imports 10,000 rows in one request", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `Person ${i};${40000000 + i}`);
    const body = (await (await api.importCsv(`navn;telefon\n${rows.join("\n")}\n`)).json()) as ImportBody;
    expect(body).toEqual({ imported: 10_000, updated: 0, rejected: [] });
  });

  it.each([
    ["a header without name and phone", "fornavn,mobil\nA,1\n", 400, "at least the columns name and phone"],
    ["an empty body", "", 400, "at least the columns name and phone"],
  ])("answers %s with a clear 400", async (_case, csv, status, message) => {
    const res = await api.importCsv(csv);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it("answers a wrong content type with 415", async () => {
    const res = await fetch(`${server.baseUrl}/api/organizer/participants`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ORGANIZER_TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(415);
  });
});
