import { describe, expect, it } from "vitest";
import { createTurnOrder } from "../../bot/channels/turnOrder.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("turn order", () => {
  it("runs a conversation's second turn only after its first has ended", async () => {
    const order = createTurnOrder();
    const log: string[] = [];
    const turn = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
      return name;
    };
    expect(
      await Promise.all([order.run("sms/+451", turn("first")), order.run("sms/+451", turn("second"))]),
    ).toEqual(["first", "second"]);
    expect(log).toEqual(["first starts", "first ends", "second starts", "second ends"]);
  });

  it("runs turns of different conversations side by side", async () => {
    const order = createTurnOrder();
    const log: string[] = [];
    const turn = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
    };
    await Promise.all([order.run("sms/+451", turn("a")), order.run("sms/+452", turn("b"))]);
    expect(log).toEqual(["a starts", "b starts", "a ends", "b ends"]);
  });

  it("still runs the next turn when the one before it failed, and passes the failure on", async () => {
    const order = createTurnOrder();
    const failing = order.run("webchat/c1", () => Promise.reject(new Error("turn failed")));
    const next = order.run("webchat/c1", () => Promise.resolve("ran"));
    await expect(failing).rejects.toThrow("turn failed");
    expect(await next).toBe("ran");
  });
});
