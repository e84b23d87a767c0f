import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { chromiumLaunchOptions, chromiumMissing } from '../../../scripts/chromium.ts';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { createSubscriber } from '../testing-billing.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResults {
  violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }>;
}

describe('the portal page in Chromium', () => {
  let run: RunningEmulator;
  let browser: Browser;
  before(async () => {
    const missing = chromiumMissing();
    if (missing !== null) throw new Error(missing);
    browser = await chromium.launch(chromiumLaunchOptions());
    run = await startEmulator();
  });
  after(async () => {
    await browser?.close();
    await run?.close();
  });

  test('axe finds nothing, and the keyboard alone cancels then resumes the subscription', async () => {
    const { customer, subscription } = await createSubscriber(run);
    const session = await run.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://127.0.0.1:9/account',
    });
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(run.url)) external.push(req.url());
    });
    await page.goto(session.url);

    const audit = async () => {
      await page.addScriptTag({ path: AXE });
      const results = (await page.evaluate('axe.run(document)')) as AxeResults;
      assert.deepEqual(
        results.violations.map(
          (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
        ),
        [],
      );
    };
    await audit();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Billing');
    assert.equal(await page.getByRole('link', { name: /Return to 127\.0\.0\.1:9/ }).count(), 1);

    // Tab from the top of the page to the Cancel button and press Enter, as a keyboard user would.
    const focused = () => page.evaluate('document.activeElement && document.activeElement.textContent');
    for (let i = 0; i < 10 && (await focused()) !== 'Cancel subscription'; i++) {
      await page.keyboard.press('Tab');
    }
    assert.equal(await focused(), 'Cancel subscription', 'Cancel is reachable by Tab');
    await Promise.all([page.waitForURL(/notice=canceled/), page.keyboard.press('Enter')]);
    assert.match(
      (await page.getByRole('status').textContent()) ?? '',
      /canceled at the end of the billing period/,
    );
    assert.equal((await run.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end, true);
    await audit();

    await page.getByRole('button', { name: 'Resume subscription' }).focus();
    assert.equal(await focused(), 'Resume subscription');
    await Promise.all([page.waitForURL(/notice=resumed/), page.keyboard.press('Enter')]);
    assert.equal((await run.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end, false);
    assert.equal(await page.getByRole('button', { name: 'Cancel subscription' }).count(), 1);
    assert.deepEqual(external, [], 'the page loads nothing from elsewhere');
    await page.close();
  });
});
