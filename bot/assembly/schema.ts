import { z } from "zod";

/**
 * The assembly file: everything the bot may tell members. The bot never answers beyond it, so
 * a topic left out here makes the bot hand the question to the organizers instead of guessing.
 */

/** Plain Danish text, or Danish and English for assemblies with English-speaking members. */
const text = z.union([
  z.string().min(1),
  z.object({ da: z.string().min(1), en: z.string().min(1).optional() }),
]);
export type LocalizedText = z.infer<typeof text>;

/** An answer to a member; 300 characters keep it within two SMS with the words around it. */
const infoText = z.union([
  z.string().min(1).max(300, "must be at most 300 characters, so the answer fits in two SMS"),
  z.object({ da: z.string().min(1).max(300), en: z.string().min(1).max(300).optional() }),
]);

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time HH:mm, e.g. 17:00");

const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

const sessionDate = z.union([
  z.iso.date({ error: "must be a date YYYY-MM-DD" }),
  z.object({
    daysAfterAnchor: z.number().int().min(0),
  }),
]);

const venue = z.object({
  name: z.string().min(1),
  address: z.string().min(1),
  directions: text.optional(),
});

const session = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, "must be lowercase letters, digits and dashes"),
    title: text,
    date: sessionDate,
    start: clockTime,
    end: clockTime,
    /** A session held elsewhere than the assembly's venue. */
    venue: venue.optional(),
    agenda: text.optional(),
    /** What members should bring, e.g. "madpakke"; the reminder says "Husk madpakke." */
    bring: text.optional(),
    /** A cancelled session gets no reminders; members who would have had one get a notice. */
    cancelled: z.boolean().optional(),
  })
  .refine((s) => s.start < s.end, { message: "start must be before end", path: ["end"] });

const contact = z.object({
  name: z.string().min(1),
  role: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  email: z.email().optional(),
  hours: z.string().min(1).optional(),
});

const compensation = z.object({
  /** Kroner per session attended. */
  amountPerSession: z.number().nonnegative(),
  details: infoText.optional(),
});

const feedbackQuestion = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.enum(["rating", "text"]),
  text,
});

export const assemblySchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9-]+$/, "must be lowercase letters, digits and dashes"),
    name: z.string().min(1),
    municipality: z.string().min(1),
    topic: z.string().min(1),
    question: text.optional(),
    members: z.number().int().min(1).max(1000),
    /** The name members see as sender, e.g. "Eksempel Kommune". */
    organizer: z.string().min(1),
    timeZone: z.string().default("Europe/Copenhagen"),
    /**
     * For the demo: sessions given as days after an anchor move forward with time, so the demo
     * never shows an assembly that is over. The anchor is the first `weekday` at least
     * `minDaysAhead` days after the data file was created, and moves on once the last session is past.
     */
    demoAnchor: z.object({ weekday: z.enum(weekdays), minDaysAhead: z.number().int().min(0) }).optional(),
    rsvpDeadline: z
      .union([z.iso.date(), z.object({ daysBeforeFirstSession: z.number().int().min(0) })])
      .optional(),
    venue,
    sessions: z.array(session).min(1),
    contact,
    info: z
      .object({
        about: infoText,
        selection: infoText,
        outcome: infoText,
        food: infoText,
        transport: infoText,
        parking: infoText,
        travelCosts: infoText,
        childcare: infoText,
        accessibility: infoText,
        preparation: infoText,
        absence: infoText,
        privacy: infoText,
        language: infoText,
      })
      .partial()
      .default({}),
    compensation: compensation.optional(),
    reminders: z
      .object({
        /** Hours before a session start when a reminder goes out, e.g. [48, 3]. */
        hoursBefore: z.array(z.number().positive()).default([48, 3]),
        quietHours: z.object({ start: clockTime, end: clockTime }).default({ start: "21:00", end: "08:00" }),
        /** Minutes after a session ends when the members who were there are asked for feedback. */
        feedbackDelayMinutes: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(30),
        /** Days before the RSVP deadline when members who have not answered get one follow-up. */
        invitationNudgeDaysBefore: z.number().int().min(0).max(60).default(3),
      })
      .prefault({}),
    feedbackQuestions: z.array(feedbackQuestion).default([]),
  })
  .superRefine((assembly, ctx) => {
    const ids = new Set<string>();
    assembly.sessions.forEach((s, index) => {
      if (ids.has(s.id))
        ctx.addIssue({ code: "custom", path: ["sessions", index, "id"], message: `duplicate id ${s.id}` });
      ids.add(s.id);
      if (typeof s.date !== "string" && !assembly.demoAnchor) {
        ctx.addIssue({
          code: "custom",
          path: ["sessions", index, "date"],
          message: "daysAfterAnchor needs demoAnchor at the top level",
        });
      }
    });
    if (!isTimeZone(assembly.timeZone)) {
      ctx.addIssue({ code: "custom", path: ["timeZone"], message: `unknown time zone ${assembly.timeZone}` });
    }
  });

export type AssemblyFile = z.infer<typeof assemblySchema>;
export type Weekday = (typeof weekdays)[number];
export const WEEKDAYS = weekdays;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
