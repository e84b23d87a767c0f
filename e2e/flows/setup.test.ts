import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectCount, expectText, expectVisible } from '../eventually.ts';
import { balance, creditsOf, newUser, openDemoPage, payOnCheckoutPage, toasts } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();

describe('saving a card through the setup modal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    test(`saves 4242 4242 4242 4242 and sees the $50.00 welcome credit (${width} px)`, async () => {
      const { page, assertClean, close } = await openPage(browser, width);
      try {
        const user = newUser('setup');
        await openDemoPage(page, stack, user);
        await page.getByRole('button', { name: 'Add a card' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add a payment method' });
        await expectVisible(dialog);
        await expectText(dialog.locator('[part~=offer]'), 'Get $50.00 of free credits.');
        await expectText(dialog.locator('[part~=powered-by]'), 'Powered by Stripe');
        await snap(page, `setup-modal-open-${width}`);

        // Escape closes it and nothing changes; the host button opens it again.
        await page.keyboard.press('Escape');
        await expectCount(page.getByRole('dialog'), 0);
        await page.getByRole('button', { name: 'Add a card' }).click();
        await expectVisible(dialog);

        await dialog.getByRole('button', { name: 'Add card' }).click();
        await page.waitForURL(/\/c\/pay\//);
        await expectText(page.getByRole('heading', { level: 1 }), 'Save a card');
        await payOnCheckoutPage(page, '4242 4242 4242 4242');

        await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
        await expectText(toasts(page), 'Card saved. ×');
        assert.ok(!page.url().includes('setup='), `the address bar still says ${page.url()}`);
        await expectText(balance(page), '$50.00');
        await expectText(page.locator('billing-history [part~=row]'), /\+\$50\.00 \$50\.00$/);
        assert.equal(await creditsOf(stack, user), '50.00');

        // The card on file is named (the host's section reads it from the summary), with Replace;
        // the offer is gone once the welcome credit has been granted.
        await expectText(page.locator('#card-on-file'), 'Visa •••• 4242, expires 12/34');
        await page.getByRole('button', { name: 'Replace' }).click();
        const saved = page.getByRole('dialog', { name: 'Payment method' });
        await expectVisible(saved);
        await expectText(saved.locator('[part~=card-on-file]'), 'Visa •••• 4242, expires 12/34');
        await expectCount(saved.locator('[part~=offer]'), 0);
        await expectVisible(saved.getByRole('button', { name: 'Replace' }));
        await snap(page.locator('setup-payment-modal [part~=dialog]'), `setup-modal-after-${width}`);
        await saved.getByRole('button', { name: 'Not now' }).click();
        await expectCount(page.getByRole('dialog'), 0);
        assertClean();
      } finally {
        await close();
      }
    });
  }
});
