import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chooseDemoAnchor, readAssemblyFile, resolveAssembly } from "../../bot/assembly/load.js";
import { createTranslations, LANGUAGES } from "../../bot/i18n/i18n.js";
import type { MessageContext } from "../../bot/messages/context.js";
import { answerFaq } from "../../bot/messages/faq.js";
import { helpReply, welcomeReply } from "../../bot/messages/general.js";
import { invitationReply } from "../../bot/messages/invitation.js";
import { feedbackRequestReply, nudgeReply } from "../../bot/messages/automatic.js";
import { reminderReply } from "../../bot/messages/reminder.js";
import { joinList, sessionList } from "../../bot/messages/sessions.js";
import { INTENT_IDS } from "../../bot/nlu/intents.js";
import { measureSms } from "../../bot/sms/gsm.js";

const NOW = new Date("2026-11-28T10:00:00Z");
const file = await readAssemblyFile("data/assembly.json");
const assembly = resolveAssembly(file, chooseDemoAnchor(file, NOW, NOW));
const translations = createTranslations();

function smsContext(language: (typeof LANGUAGES)[number]): MessageContext {
  return { t: translations.t(language), language, assembly, now: NOW, sms: true };
}

/** Every string in a locale file, with its key. */
function leaves(value: unknown, prefix = ""): Array<[string, string]> {
  if (typeof value === "string") return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    leaves(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe.each(LANGUAGES)("SMS texts in %s", (language) => {
  const ctx = smsContext(language);
  const faqIntents = INTENT_IDS.filter((intent) => intent.startsWith("faq."));
  const longestName = "Marie-Louise";

  const rendered: Array<[string, string]> = [
    ["welcome", welcomeReply(ctx).text],
    ["help", helpReply(ctx).text],
    ...faqIntents.map((intent): [string, string] => [
      intent,
      answerFaq(intent, "", ctx, { absentSessionIds: new Set() })?.text ?? "",
    ]),
    [
      "faq.transport (parking)",
      answerFaq("faq.transport", "hvor kan jeg parkere", ctx, { absentSessionIds: new Set() })!.text,
    ],
    [
      "faq.transport (costs)",
      answerFaq("faq.transport", "faar jeg koerepenge", ctx, { absentSessionIds: new Set() })!.text,
    ],
    [
      "faq.schedule (after absence)",
      answerFaq("faq.schedule", "", ctx, { absentSessionIds: new Set(["m1"]) })!.text,
    ],
    ["rsvp.accepted", ctx.t("rsvp.accepted", { sessions: joinList(sessionList(ctx), ctx) })],
    // Every session, with something to bring as long as a member would write it.
    ...assembly.sessions.flatMap((session): Array<[string, string]> => {
      const withBring = { ...session, bring: "madpakke, pen og de papirer, vi sendte dig" };
      return [
        [`reminder.full ${session.id}`, reminderReply(ctx, withBring, 48).text],
        [`reminder.short ${session.id}`, reminderReply(ctx, withBring, 3).text],
        [`feedbackRequest ${session.id}`, feedbackRequestReply(ctx, session).text],
      ];
    }),
    ["nudge", nudgeReply(ctx, "2026-12-08").text],
    [
      "attendance.noSessionOnDate",
      ctx.t("attendance.noSessionOnDate", {
        date: "16. december",
        sessions: joinList(sessionList(ctx), ctx),
      }),
    ],
    ...[
      "handoff.unknown",
      "handoff.missing",
      "handoff.requested",
      "rsvp.askNeeds",
      "rsvp.declined",
      "optout.confirmed",
      "optin.confirmed",
      "privacy.confirm",
      "privacy.deleted",
    ].map((key): [string, string] => [key, ctx.t(key)]),
  ];

  it.each(rendered)("%s is GSM-7 in at most two segments, with no link", (_key, text) => {
    expect(text).not.toBe("");
    expect(measureSms(text)).toMatchObject({ encoding: "GSM-7" });
    expect(measureSms(text).segments).toBeLessThanOrEqual(2);
    expect(text).not.toMatch(/https?:|www\./i);
  });

  it("sends the invitation in GSM-7 within three segments, with every session and how to answer", () => {
    const text = invitationReply(ctx, `${longestName} Andersen`).text;
    expect(measureSms(text)).toMatchObject({ encoding: "GSM-7" });
    expect(measureSms(text).segments).toBeLessThanOrEqual(3);
    expect(text).toContain(assembly.organizer);
    for (const line of sessionList(ctx)) expect(text).toContain(line);
    expect(text).toContain(
      language === "da"
        ? "Svar JA eller NEJ - eller skriv dit spørgsmål"
        : "Answer YES or NO - or write your question",
    );
    expect(text).toContain("STOP");
  });

  it("leaves out a name that would turn the invitation into UCS-2", () => {
    const text = invitationReply(ctx, "Łukasz Nowak").text;
    expect(text).not.toContain("Łukasz");
    expect(measureSms(text).encoding).toBe("GSM-7");
  });

  it("has only GSM-7 characters in every locale string", () => {
    const locale = JSON.parse(readFileSync(`locales/${language}/translation.json`, "utf8")) as Record<
      string,
      unknown
    >;
    const offenders = leaves(locale).filter(([, text]) => measureSms(text).encoding !== "GSM-7");
    expect(offenders).toEqual([]);
  });
});

describe("locales", () => {
  it("have the same keys in Danish and English", () => {
    const keys = (language: string) =>
      leaves(JSON.parse(readFileSync(`locales/${language}/translation.json`, "utf8")))
        .map(([key]) => key)
        .sort();
    expect(keys("en")).toEqual(keys("da"));
  });
});
