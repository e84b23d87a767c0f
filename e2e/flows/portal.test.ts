import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap } from '../browser.ts';
import { expectText, expectVisible } from '../eventually.ts';
import { newUser, openDemoPage, payOnCheckoutPage } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();

describe('the customer portal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  test('opens from <billing-portal-button>, shows the saved card, and comes back', async () => {
    const { page, assertClean, close } = await openPage(browser, 360);
    try {
      const user = newUser('portal');
      await openDemoPage(page, stack, user);
      await page.getByRole('button', { name: 'Add a card' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Add card' }).click();
      await payOnCheckoutPage(page, '4242 4242 4242 4242');
      await page.waitForURL((url) => url.origin === stack.billingUrl);
      await expectText(page.locator('billing-balance [part~=amount]'), '$50.00');
      await snap(page.locator('billing-portal-button'), 'portal-button-360');

      await page.getByRole('button', { name: 'Manage billing' }).click();
      await page.waitForURL(/\/p\/session\//);
      await expectVisible(page.getByRole('heading', { name: 'Payment methods' }));
      await expectText(page.locator('body'), /4242/);
      await snap(page, 'portal-page-360');

      await page.getByRole('link', { name: /Return to/ }).click();
      await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
      await expectText(page.locator('billing-balance [part~=amount]'), '$50.00');
      assertClean();
    } finally {
      await close();
    }
  });
});
