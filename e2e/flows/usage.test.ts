import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectCount, expectText } from '../eventually.ts';
import { balance, newUser, openDemoPage, payOnCheckoutPage, startTopup } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();
const DAY_MS = 86_400_000;

/** Noon UTC `days` days ago (or a second ago, if that noon is still to come today). */
const noonDaysAgo = (days: number) => {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return new Date(Math.min(Date.now() - 1000, today + 12 * 3_600_000 - days * DAY_MS)).toISOString();
};

/** Reports usage as the host backend does: server to server, with the feature and when it happened. */
async function reportUsage(user: string, amount: number, feature: string, occurredAt: string, key: string) {
  const res = await fetch(`${stack.billingUrl}/api/billing/usage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: user, amount, idempotency_key: key, feature, occurred_at: occurredAt }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Usage of two features on five of the last six days: [amount, feature, days ago]. */
const USES: [number, string, number][] = [
  [2.5, 'chat', 5],
  [1, 'images', 5],
  [4, 'chat', 4],
  [1.5, 'chat', 2],
  [3, 'images', 2],
  [0.75, 'images', 1],
  [2, 'chat', 0],
];

describe('usage on the demo host page', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`top up, use two features over several days, and see them charted (${width} px, ${scheme})`, async () => {
        const { page, assertClean, close } = await openPage(browser, width, scheme);
        try {
          const user = newUser('usage');
          const apiCalls: string[] = [];
          page.on('request', (request) => {
            const url = new URL(request.url());
            if (url.pathname.startsWith('/api/billing/')) apiCalls.push(`${url.pathname}${url.search}`);
          });
          await openDemoPage(page, stack, user);
          const usage = page.locator('billing-usage');
          await expectText(usage.locator('[part~=empty]'), 'No usage in the last 30 days.');
          // The page with every element, the usage chart included, made one request on load.
          assert.deepEqual(apiCalls, ['/api/billing/summary?usage_days=30']);
          await snap(usage, `usage-empty-${width}-${scheme}`);

          await startTopup(page, '$25.00');
          await payOnCheckoutPage(page, '4242 4242 4242 4242');
          await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
          await expectText(balance(page), '$25.00');

          for (const [i, [amount, feature, days]] of USES.entries()) {
            await reportUsage(user, amount, feature, noonDaysAgo(days), `e2e-usage-${user}-${i}`);
          }
          await page.reload();
          await expectText(usage.locator('[part~=total] strong'), '$14.75');
          // A bar group per day of the 30, and a rect per feature on each of the five days with usage.
          await expectCount(usage.locator('svg g'), 30);
          await expectCount(usage.locator('svg rect'), 7);
          const legend = await usage.locator('[part~=legend] li').allTextContents();
          assert.deepEqual(
            legend.map((t) => t.trim()),
            ['chat $10.00', 'images $4.75'],
          );
          await expectText(usage.locator('[part~=forecast]'), /^At this pace your balance lasts until /);
          await expectText(balance(page), '$10.25');
          await expectText(
            page.locator('billing-balance [part~=forecast]'),
            /^At this pace your balance lasts until /,
          );
          const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
          assert.equal(overflow, false, 'the page scrolls sideways');
          await snap(usage, `usage-loaded-${width}-${scheme}`);

          // Keyboard: focus the chart, step back two days to the day with both features.
          await usage.locator('[part~=chart]').focus();
          await page.keyboard.press('ArrowLeft');
          await page.keyboard.press('ArrowLeft');
          const tooltip = await expectText(usage.locator('[part~=tooltip]'), /\$4\.50/);
          assert.match(tooltip, /chat \$1\.50/);
          assert.match(tooltip, /images \$3\.00/);
          await snap(usage, `usage-tooltip-${width}-${scheme}`);
          await snap(page, `page-usage-${width}-${scheme}`);

          // Chinese, switched at run time.
          await page.evaluate('document.documentElement.lang = "zh-CN"');
          await expectText(usage.locator('[part~=heading]'), '用量');
          await expectText(usage.locator('[part~=total] strong'), 'US$14.75');
          await snap(usage, `usage-zh-${width}-${scheme}`);
          assertClean();
        } finally {
          await close();
        }
      });
    }
  }
});
