import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sdkFor } from '../../stripe-emulator/src/testing.ts';
import { launchChromium, openPage, snap, WIDTHS } from '../browser.ts';
import { expectText } from '../eventually.ts';
import {
  balance,
  creditsOf,
  newUser,
  openDemoPage,
  payOnCheckoutPage,
  reloadUntil,
  startTopup,
} from '../person.ts';
import { stackFromEnv } from '../stack-env.ts';

const stack = stackFromEnv();
/** The merchant's side: refunds made as from Stripe's dashboard, through the SDK on the emulator. */
const stripe = sdkFor(stack.emulatorUrl);

/** The PaymentIntent of the user's newest paid top-up. */
async function lastPayment(user: string): Promise<string> {
  const sessions = await stripe.checkout.sessions.list({ limit: 20 });
  const session = sessions.data.find(
    (s) => s.metadata?.account_id === `user:${user}` && s.mode === 'payment' && s.payment_status === 'paid',
  );
  if (!session?.payment_intent) throw new Error(`no paid top-up for ${user}`);
  return session.payment_intent as string;
}

/** Debits usage as the host backend would; answers the HTTP status. */
async function spend(user: string, amount: number, key: string): Promise<number> {
  const res = await fetch(`${stack.billingUrl}/api/billing/usage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: user, amount, idempotency_key: `e2e-${user}-${key}` }),
  });
  return res.status;
}

async function topUp(page: Page, amount: string): Promise<void> {
  await startTopup(page, amount);
  await payOnCheckoutPage(page, '4242 4242 4242 4242');
  await page.waitForURL((url) => url.origin === stack.billingUrl && url.pathname === '/');
}

const owes = (page: Page) => page.locator('billing-balance [part~=owes]');

describe('money going back out, on the demo host page', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  test('a refunded top-up shows the new balance and the refund; a negative balance says what is owed and blocks usage until a top-up', async () => {
    const { page, assertClean, close } = await openPage(browser, 1280);
    try {
      const user = newUser('refund');
      await openDemoPage(page, stack, user);
      await topUp(page, '$50.00');
      await expectText(balance(page), '$50.00');

      // The merchant refunds $20 of it from Stripe; the webhook takes the credit back.
      const payment = await lastPayment(user);
      await stripe.refunds.create({ payment_intent: payment, amount: 2000 });
      await reloadUntil(page, () => expectText(balance(page), '$30.00', 1000));
      await expectText(
        page.locator('billing-history [part~=row]').first(),
        /Payment refunded\s*-\$20\.00\s*\$30\.00$/,
      );

      // $25 is spent, then the remaining $30 refunded: $5 − $30 = −$25, owed.
      assert.equal(await spend(user, 25, 'spend-1'), 200);
      await stripe.refunds.create({ payment_intent: payment });
      await reloadUntil(page, () => expectText(owes(page), 'You owe $25.00', 1000));
      await expectText(
        page.locator('billing-balance [part~=owes-hint]'),
        'Add credits to keep using the service.',
      );
      await expectText(page.locator('billing-topup [part~=owes]'), 'You owe $25.00. A top-up pays it first.');
      assert.equal(await creditsOf(stack, user), '-25.00');
      assert.equal(await spend(user, 1, 'spend-2'), 402, 'usage is blocked while the balance is negative');
      assert.equal(await creditsOf(stack, user), '-25.00');

      for (const width of WIDTHS) {
        for (const scheme of ['light', 'dark'] as const) {
          const view = await openPage(browser, width, scheme);
          try {
            await openDemoPage(view.page, stack, user);
            await expectText(owes(view.page), 'You owe $25.00');
            await snap(view.page.locator('billing-balance'), `refunds-owes-balance-${width}-${scheme}`);
            await snap(view.page.locator('billing-topup'), `refunds-owes-topup-${width}-${scheme}`);
            await snap(view.page.locator('billing-history'), `refunds-history-${width}-${scheme}`);
            await snap(view.page, `refunds-owes-page-${width}-${scheme}`);
            view.assertClean();
          } finally {
            await view.close();
          }
        }
      }

      // A top-up is the way back.
      await topUp(page, '$50.00');
      await expectText(balance(page), '$25.00');
      assert.equal(await spend(user, 1, 'spend-3'), 200);
      assertClean();
    } finally {
      await close();
    }
  });
});
