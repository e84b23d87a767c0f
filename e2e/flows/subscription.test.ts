import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, snap } from '../browser.ts';
import { expectCount, expectText } from '../eventually.ts';
import { newUser, openDemoPage, payOnCheckoutPage, reloadUntil, toasts } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();
const DAY = 24 * 60 * 60;

/** The subscription card's status line, e.g. `Pro · Renews on 12/14/2026.` */
const status = (page: Page) => page.locator('billing-subscription [part~=status]');

/** The date in a "Renews on …" or "Ends on …" line. */
function dateIn(text: string): Date {
  const found = /on (.+)\.$/.exec(text.trim());
  assert.ok(found, `no date in "${text}"`);
  return new Date(found[1]!);
}

describe('subscribing on the demo host page', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  test('subscribes, is not offered a second subscription, cancels, resumes, and sees the renewal', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280);
    const sub = page.locator('billing-subscription');
    try {
      const user = newUser('subscribe');
      await openDemoPage(page, stack, user);
      await expectText(status(page), 'No subscription.');
      await snap(sub, 'subscription-none-1280');
      await sub.getByRole('button', { name: 'Subscribe' }).click();
      await page.waitForURL(/\/c\/pay\//);
      await expectText(page.locator('[data-testid=total]'), '$20.00 per month');
      await payOnCheckoutPage(page, '4242 4242 4242 4242');

      await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
      await expectText(toasts(page), 'Payment received. ×');
      // Access comes from Stripe's invoice.paid webhook, which may land just after the redirect.
      await reloadUntil(page, () => expectText(status(page), /^Pro · Renews on .+\.$/, 1000));
      const renews = dateIn(await expectText(status(page), /Renews on/));
      assert.ok(renews.getTime() > Date.now() + 27 * DAY * 1000, `renews on ${renews.toISOString()}`);
      await expectCount(sub.getByRole('button', { name: 'Subscribe' }), 0);
      await expectText(page.locator('billing-history [part~=row]'), /\+\$10\.00 \$10\.00$/);
      await snap(sub, 'subscription-active-1280');

      await sub.getByRole('button', { name: 'Cancel subscription' }).click();
      await expectText(sub.getByRole('alert'), /^Cancel\? Access lasts until .+\.$/);
      await snap(sub, 'subscription-confirm-1280');
      await sub.getByRole('button', { name: 'Yes, cancel' }).click();
      await expectText(status(page), /^Pro · Ends on .+\.$/);
      assert.equal(dateIn((await status(page).textContent()) ?? '').getTime(), renews.getTime());
      await expectCount(sub.getByRole('button', { name: 'Subscribe' }), 0);
      await snap(sub, 'subscription-cancelling-1280');

      await sub.getByRole('button', { name: 'Resume' }).click();
      await expectText(status(page), /^Pro · Renews on .+\.$/);
      assert.equal(dateIn((await status(page).textContent()) ?? '').getTime(), renews.getTime());

      // A month and a day later in the emulator: Stripe renews, the webhook records the new period.
      const advanced = await fetch(`${stack.emulatorUrl}/_emulator/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds: 32 * DAY }),
      });
      assert.equal(advanced.status, 200);
      await reloadUntil(
        page,
        async () => {
          const next = dateIn(await expectText(status(page), /Renews on/, 1000));
          assert.ok(next.getTime() > renews.getTime(), `still renews on ${next.toDateString()}`);
        },
        40,
      );
      await expectCount(page.locator('billing-history [part~=row]'), 2);
      await expectText(page.locator('billing-history [part~=row]').first(), /\+\$10\.00 \$20\.00$/);
      await snap(page, 'page-subscription-renewed-1280');
      assertClean();
    } finally {
      await close();
    }
  });
});
