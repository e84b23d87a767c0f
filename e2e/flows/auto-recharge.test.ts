import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { reportUsage } from '../../examples/host-backend/report-usage.ts';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectText, expectVisible } from '../eventually.ts';
import { balance, creditsOf, newUser, openDemoPage, payOnCheckoutPage } from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();

describe('auto-recharge from the saved card', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  for (const width of WIDTHS) {
    test(`save a card, turn on at $10 / $25, usage falls below $10, the page shows the recharge (${width} px)`, async () => {
      const { page, assertClean, close } = await openPage(browser, width);
      try {
        const user = newUser('recharge');
        await openDemoPage(page, stack, user);
        const widget = page.locator('billing-auto-recharge');
        await expectText(widget.locator('[part~=empty]'), 'Save a card first to use auto-recharge.');

        await page.getByRole('button', { name: 'Add a card' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Add card' }).click();
        await page.waitForURL(/\/c\/pay\//);
        await payOnCheckoutPage(page, '4242 4242 4242 4242');
        await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
        await expectText(balance(page), '$50.00');

        // The consent names what, when and the cap; the user sets $10 / $25 and turns it on.
        await widget.getByLabel('When the balance falls below').fill('10');
        await widget.getByLabel('Add this amount').fill('25');
        await widget.getByLabel('At most per month').fill('100');
        await expectText(
          widget.locator('[part~=consent]'),
          'When usage takes your balance below $10.00, your saved card is charged $25.00 without asking again, at most $100.00 per calendar month. Turn it off here at any time.',
        );
        await widget.getByRole('button', { name: 'Turn on auto-recharge' }).click();
        await expectText(widget.locator('[part~=status]'), 'On.');
        await expectVisible(widget.getByRole('button', { name: 'Turn off' }));
        await snap(widget, `auto-recharge-on-${width}`);

        // The host backend reports usage until the balance falls below $10.00.
        let crossing: Awaited<ReturnType<typeof reportUsage>> | undefined;
        for (let i = 0; !crossing; i++) {
          const answer = await reportUsage(stack.billingUrl, stack.apiKey, {
            user_id: user,
            amount: 15,
            idempotency_key: `e2e-recharge-${user}-${i}`,
          });
          if (answer.balance_cents < 1000) crossing = answer;
          else assert.equal(answer.auto_recharge.started, false);
        }
        assert.equal(crossing.balance, '5.00');
        assert.deepEqual(crossing.auto_recharge, { started: true, status: 'charging' });

        // No reload: the element's own refresh brings the credit, the balance and the history row.
        await expectText(balance(page), '$30.00', 20_000);
        await expectText(
          page.locator('billing-history [part~=row]').first(),
          /Auto-recharge.*\+\$25\.00 \$30\.00$/,
        );
        await expectText(widget.locator('[part~=status]'), 'On.');
        await expectText(widget.locator('[part~=base]'), /Charged this month: \$25\.00\./);
        assert.equal(await creditsOf(stack, user), '30.00');
        await snap(page, `auto-recharge-after-${width}`);
        assertClean();
      } finally {
        await close();
      }
    });
  }

  test('a card that needs the bank (3184): the page asks, the user confirms on the bank page, credited once', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280);
    try {
      const user = newUser('recharge-3ds');
      await openDemoPage(page, stack, user);
      await page.getByRole('button', { name: 'Add a card' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Add card' }).click();
      await page.waitForURL(/\/c\/pay\//);
      await payOnCheckoutPage(page, '4000 0027 6000 3184');
      await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
      await expectText(balance(page), '$50.00');
      const widget = page.locator('billing-auto-recharge');
      await widget.getByRole('button', { name: 'Turn on auto-recharge' }).click();
      await expectText(widget.locator('[part~=status]'), 'On.');

      const crossing = await reportUsage(stack.billingUrl, stack.apiKey, {
        user_id: user,
        amount: 45,
        idempotency_key: `e2e-recharge-3ds-${user}`,
      });
      assert.deepEqual(crossing.auto_recharge, { started: true, status: 'action_required' });
      await expectText(
        widget.locator('[part~=status]'),
        /^Your bank asks you to confirm the last charge\.\s*Your card was declined\. This transaction requires authentication\.$/,
        20_000,
      );
      await snap(widget, 'auto-recharge-action-required-1280');

      await widget.getByRole('button', { name: 'Confirm the payment' }).click();
      await page.waitForURL(/\/3d_secure\/pi_/);
      await expectText(page.getByRole('heading', { level: 1 }), 'Authenticate this payment');
      await page.getByRole('button', { name: 'Complete authentication' }).click();
      await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
      assert.ok(!page.url().includes('checkout='), `the address bar still says ${page.url()}`);
      await expectText(balance(page), '$30.00');
      await expectText(widget.locator('[part~=status]'), 'On.');
      await expectText(
        page.locator('billing-history [part~=row]').first(),
        /Auto-recharge.*\+\$25\.00 \$30\.00$/,
      );
      assert.equal(await creditsOf(stack, user), '30.00');
      assertClean();
    } finally {
      await close();
    }
  });
});
