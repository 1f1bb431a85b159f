import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../bot/logger.js";

function capture(level: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

describe("logs", () => {
  it("mask phone numbers, names and message texts at info level", () => {
    const { logger, lines } = capture("info");
    logger.info(
      { phone: "+4520304050", text: "jeg er syg i dag", sms: { to: "+4520304050", name: "Anna" } },
      "x",
    );
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      phone: "+45******50",
      text: "[masked 16 chars]",
      sms: { to: "+45******50", name: "[masked 4 chars]" },
    });
    expect(lines[0]).not.toContain("20304050");
  });

  it("mask a phone number inside an error message", () => {
    const { logger, lines } = capture("info");
    logger.error(
      { err: new Error("The 'To' number +45 20 30 40 50 is not a valid phone number") },
      "send failed",
    );
    expect(lines[0]).not.toMatch(/20 ?30 ?40 ?50/);
    expect(lines[0]).toContain("+45******50");
  });

  it("mask phone numbers in errors nested in an AggregateError", () => {
    const { logger, lines } = capture("info");
    logger.error({ err: new AggregateError([new Error("to +4520304050 failed")], "two sends failed") }, "x");
    expect(lines[0]).not.toContain("20304050");
  });

  it("show the real values at debug level, for an operator on their own machine", () => {
    const { logger, lines } = capture("debug");
    logger.debug({ phone: "+4520304050" }, "x");
    expect(lines[0]).toContain("+4520304050");
  });
});
