import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, snap } from '../browser.ts';
import { expectText } from '../eventually.ts';
import { grantCredits, newUser } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();

describe('the React and Vue examples on the host backend', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const framework of ['react', 'vue'] as const) {
    test(`the ${framework} example shows the balance and spends a credit through the host backend`, async () => {
      const { page, assertClean, close } = await openPage(browser, 360);
      try {
        const user = newUser(framework);
        await grantCredits(stack, user, 10);
        await page.goto(`${stack.hostUrl}/${framework}/?user=${user}`);
        await expectText(page.getByRole('heading', { level: 1 }), new RegExp(`host · ${user}$`));
        await expectText(page.locator('billing-balance [part~=amount]'), '$10.00');
        await expectText(page.locator('billing-history [part~=row]'), /\+\$10\.00 \$10\.00$/);

        await page.getByRole('button', { name: 'Chat: use $1' }).click();
        await expectText(page.getByRole('status').first(), 'Used $1.00 on chat.');
        await expectText(page.locator('billing-balance [part~=amount]'), '$9.00');
        await expectText(page.locator('billing-history [part~=row]').first(), /-\$1\.00 \$9\.00$/);
        await page.getByRole('button', { name: 'Images: use $0.50' }).click();
        await expectText(page.getByRole('status').first(), 'Used $0.50 on images.');
        // The host backend reports each use with its feature, and the chart splits spend by it.
        await expectText(page.locator('billing-usage [part~=total] strong'), '$1.50');
        await expectText(page.locator('billing-usage [part~=legend]'), /chat \$1\.00\s*images \$0\.50/);
        await snap(page, `${framework}-example-360`);
        assertClean();
      } finally {
        await close();
      }
    });
  }
});
