import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectCount, expectText } from '../eventually.ts';
import { grantCredits, newUser, openDemoPage, subscribeWithoutBrowser } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();
const ELEMENTS = [
  'billing-balance',
  'billing-topup',
  'billing-subscription',
  'billing-history',
  'billing-portal-button',
  'billing-auto-recharge',
  'billing-usage',
];

/** Whether anything on the page is wider than the viewport (the page would scroll sideways). */
const overflowsSideways = 'document.documentElement.scrollWidth > window.innerWidth';

describe('every element at 360 px and 1280 px, light and dark, and when the server is down', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`a subscribed account with history reads well at ${width} px (${scheme})`, async () => {
        const { page, assertClean, close } = await openPage(browser, width, scheme);
        try {
          const user = newUser('layout');
          await grantCredits(stack, user, 12.5);
          await subscribeWithoutBrowser(stack, user);
          const apiCalls: string[] = [];
          page.on('request', (request) => {
            if (request.url().includes('/api/billing/')) apiCalls.push(request.url());
          });
          await openDemoPage(page, stack, user);
          await expectText(page.locator('billing-balance [part~=amount]'), '$22.50');
          await expectText(page.locator('billing-subscription [part~=status]'), /^Pro · Renews on .+\.$/);
          await expectCount(page.locator('billing-history [part~=row]'), 2);
          // Every element on the page, one request between them (the history's first page included).
          assert.deepEqual(
            apiCalls.map((url) => new URL(url).pathname),
            ['/api/billing/summary'],
          );
          if (await page.evaluate(overflowsSideways))
            throw new Error(`the page scrolls sideways at ${width} px`);
          await snap(page, `page-subscribed-${scheme}-${width}`);
          for (const element of ELEMENTS)
            await snap(page.locator(element), `${element}-loaded-${scheme}-${width}`);
          assertClean();
        } finally {
          await close();
        }
      });
    }

    test(`with the billing server unreachable, every element says so, the host toasts, and Retry recovers (${width} px)`, async () => {
      const { page, assertClean, close } = await openPage(browser, width);
      try {
        const user = newUser('offline');
        // The network fails for the first summary load: its request and the client's two retries
        // (a read is retried on network failure, so a briefer outage would not even show).
        let failures = 0;
        await page.route('**/api/billing/summary?*', (route) =>
          failures++ < 3 ? route.abort('connectionrefused') : route.continue(),
        );
        await page.goto(`${stack.billingUrl}/?user=${user}`);
        for (const element of ELEMENTS.filter((e) => e !== 'billing-history')) {
          await expectText(page.locator(`${element} [part~=error]`), 'Could not reach the billing server.');
        }
        await expectText(
          page.locator('#toasts [role=alert]'),
          /^The billing server cannot be reached\. Dismiss$/,
        );
        await expectCount(page.locator('[part~=toast]'), 0);
        await snap(page, `page-offline-${width}`);
        await snap(page.locator('billing-balance'), `billing-balance-error-${width}`);

        await page.locator('billing-balance').getByRole('button', { name: 'Retry' }).click();
        await expectText(page.locator('billing-balance [part~=empty]'), 'No credits yet.');
        await expectCount(page.locator('[part~=error]'), 0);
        await page.getByRole('button', { name: 'Dismiss' }).click();
        await expectCount(page.locator('#toasts [role=alert]'), 0);
        assertClean([/net::ERR_CONNECTION_REFUSED/]);
      } finally {
        await close();
      }
    });
  }
});
