/**
 * The local chat page in a real headless Chromium against the real server in local mode: a member
 * is welcomed, writes "hej", gets an answer, and answers the welcome card with a button.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASIC_INTENTS } from "../helpers/fakeClassify.js";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const REPLY_TIMEOUT_MS = 15_000;

const chromiumMissing = !existsSync(CHROMIUM);
// CI must run this test; a developer without Chromium can still run the rest of npm test.
const skip = chromiumMissing && !process.env.CI;
if (skip)
  console.warn(`Skipping the browser test: ${CHROMIUM} not found (apt-get install chromium to run it).`);

/** Bubbles the bot has shown so far; a reply is the count going up. */
function botMessages(page: Page) {
  return page.locator(".msg.bot");
}

async function waitForNewBotMessage(page: Page, countBefore: number): Promise<void> {
  await botMessages(page).nth(countBefore).waitFor({ timeout: REPLY_TIMEOUT_MS });
}

describe.skipIf(skip)("local chat page in Chromium", () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (chromiumMissing) {
      throw new Error(
        `CI needs ${CHROMIUM} for the browser test: install it with "apt-get install -y chromium".`,
      );
    }
    // The page and the channel are under test, not language understanding: a fixed table is enough.
    server = await startTestServer({ classify: BASIC_INTENTS });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it("welcomes, answers a Danish message, and takes an Adaptive Card answer", async () => {
    await page.goto(server!.baseUrl);
    expect(await page.title()).toBe("borgerbot – lokal test");

    // First contact: the page sends conversationUpdate and the welcome carries a card with a Submit.
    const submitButton = page.locator('.msg.bot .card button[role="button"]:not([aria-expanded])').first();
    await submitButton.waitFor({ timeout: REPLY_TIMEOUT_MS });

    const beforeHej = await botMessages(page).count();
    await page.getByTestId("chat-input").fill("hej");
    await page.getByTestId("chat-input").press("Enter");
    await expect.poll(() => page.locator(".msg.user").last().innerText()).toContain("hej");
    await waitForNewBotMessage(page, beforeHej);
    expect((await botMessages(page).nth(beforeHej).innerText()).trim()).not.toBe("");

    const beforeClick = await botMessages(page).count();
    const userMessagesBefore = await page.locator(".msg.user").count();
    await submitButton.click();
    await waitForNewBotMessage(page, beforeClick);
    // The click shows up as the member's own message (the button title, or Teams' displayText).
    expect(await page.locator(".msg.user").count()).toBe(userMessagesBefore + 1);
    // One answer per card: its buttons are disabled after the click.
    expect(await submitButton.isDisabled()).toBe(true);

    expect(await page.locator(".msg.error").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
