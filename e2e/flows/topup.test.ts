import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectCount, expectText, expectVisible } from '../eventually.ts';
import {
  balance,
  billingSessionStatuses,
  creditsOf,
  newUser,
  openDemoPage,
  payOnCheckoutPage,
  startTopup,
  toasts,
} from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();

describe('top-up on the demo host page', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    test(`pays $25 with 4242 4242 4242 4242, sees $25.00 and one success toast, the parameter gone (${width} px)`, async () => {
      const { page, assertClean, close } = await openPage(browser, width);
      try {
        const user = newUser('topup');
        await openDemoPage(page, stack, user);
        await expectText(page.locator('billing-balance [part~=empty]'), 'No credits yet.');
        await snap(page.locator('billing-balance'), `balance-empty-${width}`);
        await snap(page.locator('billing-topup'), `topup-loaded-${width}`);
        await snap(page.locator('billing-history'), `history-empty-${width}`);
        await snap(page, `page-new-user-${width}`);

        await startTopup(page, '$25.00');
        await expectText(page.locator('[data-testid=total]'), '$25.00');
        await snap(page, `checkout-page-${width}`);
        await payOnCheckoutPage(page, '4242 4242 4242 4242');

        await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
        await expectText(balance(page), '$25.00');
        await expectText(toasts(page), 'Payment received. ×');
        assert.ok(!page.url().includes('checkout='), `the address bar still says ${page.url()}`);
        assert.equal(new URL(page.url()).searchParams.get('user'), user);
        await expectText(page.locator('billing-history [part~=row]'), /\+\$25\.00 \$25\.00$/);
        await snap(page.locator('billing-balance'), `balance-loaded-${width}`);
        await snap(page.locator('billing-history'), `history-loaded-${width}`);
        await snap(page, `page-after-topup-${width}`);
        // One refresh, one toast: nothing else appears while the page settles.
        await page.waitForTimeout(500);
        await expectCount(toasts(page), 1);
        assert.equal(await creditsOf(stack, user), '25.00');
        assertClean();
      } finally {
        await close();
      }
    });
  }

  test('tries 4000 0000 0000 0002, sees the decline, and nothing is credited', async () => {
    const { page, assertClean, close } = await openPage(browser, 360);
    try {
      const user = newUser('decline');
      await openDemoPage(page, stack, user);
      await startTopup(page, '$10.00');
      await payOnCheckoutPage(page, '4000 0000 0000 0002');
      await expectText(page.getByRole('alert'), /declined/i);
      await expectVisible(page.getByLabel('Card number'));
      await snap(page, 'checkout-declined-360');
      assert.equal(await creditsOf(stack, user), '0.00');

      await page.getByRole('link', { name: 'Cancel and return' }).click();
      await page.waitForURL((url) => url.origin === stack.billingUrl);
      await expectText(toasts(page), 'Checkout cancelled. ×');
      await expectText(page.locator('billing-balance [part~=empty]'), 'No credits yet.');
      await expectText(page.locator('billing-history [part~=empty]'), 'No transactions yet.');
      assert.equal(await creditsOf(stack, user), '0.00');
      // The decline is the checkout page's own 402 answer; the host page itself stays clean.
      assertClean([/HTTP 402: POST .*\/c\/pay\//]);
    } finally {
      await close();
    }
  });

  test('cancels on the checkout page, sees the cancel toast, and the billing session is cancelled', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280);
    try {
      const user = newUser('cancel');
      await openDemoPage(page, stack, user);
      await startTopup(page, '$50.00');
      assert.deepEqual(await billingSessionStatuses(stack, user), ['in_progress']);
      await page.getByRole('link', { name: 'Cancel and return' }).click();

      await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
      await expectText(toasts(page), 'Checkout cancelled. ×');
      assert.ok(!page.url().includes('checkout='), `the address bar still says ${page.url()}`);
      await snap(page.locator('billing-topup'), 'topup-cancel-toast-1280');
      assert.deepEqual(await billingSessionStatuses(stack, user), ['cancelled']);
      assert.equal(await creditsOf(stack, user), '0.00');
      assertClean();
    } finally {
      await close();
    }
  });
});
