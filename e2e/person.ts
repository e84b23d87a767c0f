/**
 * What a person does and sees on the pages: the demo host page (the vanilla HTML example), the
 * emulator's hosted checkout and portal pages. Locators pierce the elements' shadow roots, so they
 * find text and buttons as a person would, by role and name.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@libsql/client';
import type { FrameLocator, Page } from 'playwright-core';
import { expectCount, expectText, expectVisible } from './eventually.ts';
import type { StackInfo } from './stack.ts';

/** A user no other flow uses, so each flow starts from an empty account. */
export function newUser(flow: string): string {
  return `${flow}-${randomBytes(4).toString('hex')}`;
}

/**
 * Opens the demo host page as `user` (payments in `mode`: the demo's `?mode=`) and waits until
 * every element has loaded.
 */
export async function openDemoPage(
  page: Page,
  stack: StackInfo,
  user: string,
  mode: 'redirect' | 'embedded' = 'redirect',
): Promise<void> {
  await page.goto(`${stack.billingUrl}/?user=${user}${mode === 'embedded' ? '&mode=embedded' : ''}`);
  await expectText(page.locator('billing-balance h2'), 'Credit balance');
  for (const element of ['billing-balance', 'billing-topup', 'billing-subscription', 'billing-history']) {
    await expectCount(page.locator(`${element} [part~=loading]`), 0);
  }
}

/** The balance the page shows, e.g. `$25.00`. */
export function balance(page: Page) {
  return page.locator('billing-balance [part~=amount]');
}

/** Every toast any element shows. */
export function toasts(page: Page) {
  return page.locator('[part~=toast]');
}

/** Chooses a preset amount in `<billing-topup>` and starts checkout. */
export async function startTopup(page: Page, amount: string): Promise<void> {
  const topup = page.locator('billing-topup');
  await topup.getByRole('button', { name: amount, exact: true }).click();
  await topup.getByRole('button', { name: `Add ${amount}` }).click();
  await page.waitForURL(/\/c\/pay\//);
}

/**
 * Fills the emulator's checkout form with `card` and submits it: on its hosted page (`page`), or in
 * the frame on-page Checkout shows it in (a FrameLocator).
 */
export async function payOnCheckoutPage(page: Page | FrameLocator, card: string): Promise<void> {
  await expectVisible(page.getByRole('heading', { level: 1 }));
  const email = page.getByLabel('Email');
  if (await email.isEditable()) await email.fill('payer@example.invalid');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
  await page.locator('form button[type=submit]').click();
}

/** Reloads until `check` passes, as a person waiting for a webhook would (bounded). */
export async function reloadUntil(page: Page, check: () => Promise<unknown>, attempts = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await check();
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await page.waitForTimeout(250);
      await page.reload();
    }
  }
}

/** The account's balance as the billing API reports it. */
export async function creditsOf(stack: StackInfo, user: string): Promise<string> {
  const res = await fetch(`${stack.billingUrl}/api/billing/credits`, {
    headers: { authorization: `Bearer ${await demoToken(stack, user)}` },
  });
  return ((await res.json()) as { credits: string }).credits;
}

/** Grants credits as a host backend would (server-to-server, API key). */
export async function grantCredits(stack: StackInfo, user: string, amount: number): Promise<void> {
  const res = await fetch(`${stack.billingUrl}/api/billing/grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: user, amount, idempotency_key: `e2e-grant-${user}-${amount}` }),
  });
  if (!res.ok) throw new Error(`grant failed: ${res.status} ${await res.text()}`);
}

/** The statuses of the user's own account's billing sessions in the server's libSQL file, oldest first. */
export async function billingSessionStatuses(stack: StackInfo, user: string): Promise<string[]> {
  const db = createClient({ url: `file:${stack.dataDir}/billing.db` });
  try {
    const rs = await db.execute({
      sql: 'SELECT status FROM billing_sessions WHERE account_id = ? ORDER BY created_at',
      args: [`user:${user}`],
    });
    return rs.rows.map((row) => String(row.status));
  } finally {
    db.close();
  }
}

/** A demo user's token, from the billing server's demo route. */
async function demoToken(stack: StackInfo, user: string): Promise<string> {
  const res = await fetch(`${stack.billingUrl}/demo/token?user=${user}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Subscribes `user` to the default plan without a browser, for flows that only need the result:
 * the server creates the checkout session, the emulator completes it with 4242… (as its hosted page
 * would), and the flow waits until the webhooks have given the account access.
 */
export async function subscribeWithoutBrowser(stack: StackInfo, user: string): Promise<void> {
  const headers = {
    authorization: `Bearer ${await demoToken(stack, user)}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${stack.billingUrl}/api/billing/subscription-checkout-session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ return_url: `${stack.billingUrl}/` }),
  });
  const { redirect_url } = (await created.json()) as { redirect_url: string };
  const sessionId = /\/c\/pay\/([^/?#]+)/.exec(redirect_url)?.[1];
  if (!sessionId) throw new Error(`no checkout session in ${redirect_url}`);
  const completed = await fetch(`${stack.emulatorUrl}/_emulator/checkout/sessions/${sessionId}/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card: '4242424242424242' }),
  });
  if (!completed.ok)
    throw new Error(`completing ${sessionId}: ${completed.status} ${await completed.text()}`);
  // Stripe reports the subscription active before invoice.paid brings the plan's included credit.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const summary = await fetch(`${stack.billingUrl}/api/billing/summary`, { headers });
    const { subscription } = (await summary.json()) as { subscription: { status: string } };
    const page = await fetch(`${stack.billingUrl}/api/billing/transactions?limit=100`, { headers });
    const { data } = (await page.json()) as { data: { kind: string }[] };
    if (subscription.status === 'active' && data.some((entry) => entry.kind === 'subscription')) return;
    if (Date.now() > deadline) throw new Error(`${user}'s subscription is still ${subscription.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
