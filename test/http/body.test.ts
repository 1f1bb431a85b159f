import { describe, expect, it } from "vitest";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../../bot/http/body.js";

const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

describe("exceedsJsonDepth", () => {
  it("accepts nesting up to the limit and refuses one level more", () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });

  it("counts objects and arrays alike", () => {
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
  });

  it("does not count brackets inside strings, including after escaped quotes", () => {
    const text = JSON.stringify({ text: `${"[{".repeat(100)} \\" "${"{".repeat(100)}` });
    expect(exceedsJsonDepth(text, 1)).toBe(false);
  });

  it("refuses 20,000 levels without overflowing the stack", () => {
    expect(exceedsJsonDepth('{"from":'.repeat(20_000) + "1" + "}".repeat(20_000), MAX_JSON_DEPTH)).toBe(true);
  });
});
