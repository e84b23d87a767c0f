/**
 * Waiting assertions for pages (playwright-core has no `expect`): each polls until what a person
 * would see holds, and fails with what was last seen when it does not within the time limit.
 */
import type { Locator } from 'playwright-core';

const POLL_MS = 50;

/** Retries `check` until it stops throwing, for at most `ms`; rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** The locator's visible text, whitespace collapsed ('' when it matches nothing). */
async function textOf(locator: Locator): Promise<string> {
  const texts = await locator.allInnerTexts();
  return texts.join(' ').replace(/\s+/g, ' ').trim();
}

/** Waits until the locator's text equals `expected` (a string) or matches it (a RegExp). */
export async function expectText(locator: Locator, expected: string | RegExp, ms?: number): Promise<string> {
  return eventually(async () => {
    const text = await textOf(locator);
    const ok = typeof expected === 'string' ? text === expected : expected.test(text);
    if (!ok) throw new Error(`expected ${locator} to show ${expected}, but it shows "${text}"`);
    return text;
  }, ms);
}

/** Waits until exactly `count` elements match the locator. */
export async function expectCount(locator: Locator, count: number, ms?: number): Promise<void> {
  await eventually(async () => {
    const found = await locator.count();
    if (found !== count) throw new Error(`expected ${count} of ${locator}, found ${found}`);
  }, ms);
}

/** Waits until the locator's first match is visible. */
export async function expectVisible(locator: Locator, ms = 10_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: ms });
}
