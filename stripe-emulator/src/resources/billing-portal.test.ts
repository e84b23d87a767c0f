import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { createSubscriber } from '../testing-billing.ts';

/** A form POST as a browser sends it from the portal page, without following the redirect. */
async function submit(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    redirect: 'manual',
  });
}

/** The `action` of the form whose button reads `label`. */
function formAction(html: string, label: string): string {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[2]!.includes(`>${label}</button>`));
  assert.ok(form, `no form with a "${label}" button`);
  return form[1]!;
}

describe('billing portal sessions and the portal page', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('create answers a session whose url is the hosted portal page', async () => {
    const { customer } = await createSubscriber(run);
    const session = await run.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://127.0.0.1:8787/account',
    });
    assert.match(session.id, /^bps_/);
    assert.equal(session.object, 'billing_portal.session');
    assert.equal(session.customer, customer.id);
    assert.equal(session.return_url, 'http://127.0.0.1:8787/account');
    assert.match(session.configuration as string, /^bpc_/);
    assert.equal(session.url, `${run.url}/p/session/${session.id}`);
  });

  test('the page lists cards (default marked), invoices and the subscription; cancel then resume change it', async () => {
    const { customer, card, subscription } = await createSubscriber(run, { amount: 2000 });
    await run.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    const session = await run.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://127.0.0.1:8787/account',
    });
    const page = await fetch(session.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(
      html,
      new RegExp(
        `Visa ending in ${card.card!.last4}, expires \\d{2}/\\d{4} <span class="badge">Default</span>`,
      ),
    );
    assert.match(html, /Mastercard ending in 4444, expires \d{2}\/\d{4}<\/li>/);
    const invoice = await run.stripe.invoices.retrieve(subscription.latest_invoice as string);
    assert.ok(html.includes(`<td>${invoice.number}</td><td>$20.00</td><td>paid</td>`), 'invoice row');
    assert.match(html, /Pro plan<\/strong> — \$20\.00 per month/);
    assert.match(html, /Renews on /);
    assert.match(html, /<a href="http:\/\/127\.0\.0\.1:8787\/account">← Return to 127\.0\.0\.1:8787<\/a>/);
    assert.doesNotMatch(html, /<(script|img)\b|<link\b(?![^>]*href="data:)/, 'no external assets');

    const cancel = await submit(`${run.url}${formAction(html, 'Cancel subscription')}`);
    assert.equal(cancel.status, 303);
    const cancelling = await run.stripe.subscriptions.retrieve(subscription.id);
    assert.equal(cancelling.cancel_at_period_end, true);
    assert.equal(cancelling.cancel_at, subscription.items.data[0]!.current_period_end);
    const event = (await run.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 }))
      .data[0]!;
    assert.equal((event.data.object as Stripe.Subscription).id, subscription.id);
    assert.equal((event.data.object as Stripe.Subscription).cancel_at_period_end, true);

    const after = await (await fetch(new URL(cancel.headers.get('location')!, run.url))).text();
    assert.match(after, /role="status">Your subscription will be canceled at the end of the billing period/);
    assert.match(after, /Cancels on /);
    const resume = await submit(`${run.url}${formAction(after, 'Resume subscription')}`);
    assert.equal(resume.status, 303);
    const resumed = await run.stripe.subscriptions.retrieve(subscription.id);
    assert.equal(resumed.cancel_at_period_end, false);
    assert.equal(resumed.cancel_at, null);
    assert.match(await (await fetch(session.url)).text(), />Cancel subscription<\/button>/);
  });

  test('a portal session cannot act on another customer’s subscription, and unknown sessions are 404', async () => {
    const mine = await createSubscriber(run);
    const theirs = await createSubscriber(run);
    const session = await run.stripe.billingPortal.sessions.create({ customer: mine.customer.id });
    const res = await submit(`${session.url}/subscriptions/${theirs.subscription.id}/cancel`);
    assert.equal(res.status, 404);
    assert.equal(
      (await run.stripe.subscriptions.retrieve(theirs.subscription.id)).cancel_at_period_end,
      false,
    );
    assert.equal((await fetch(`${run.url}/p/session/bps_unknown`)).status, 404);
    const html = await (await fetch(session.url)).text();
    assert.doesNotMatch(html, /Return to/, 'no return link without a return_url');
  });

  test('bad input is a 400 naming the param', async () => {
    const { customer } = await createSubscriber(run);
    const cases: Array<[Stripe.BillingPortal.SessionCreateParams, string, number]> = [
      [{} as Stripe.BillingPortal.SessionCreateParams, 'customer', 400],
      [{ customer: customer.id, return_url: 'not a url' }, 'return_url', 400],
      [{ customer: customer.id, return_url: 'javascript:alert(1)' }, 'return_url', 400],
      [{ customer: customer.id, flow_data: { type: 'payment_method_update' } }, 'flow_data', 400],
      [{ customer: 'cus_missing' }, 'customer', 400],
    ];
    for (const [params, param, status] of cases) {
      await assert.rejects(
        run.stripe.billingPortal.sessions.create(params),
        (err: Stripe.errors.StripeError) => {
          assert.equal(err.statusCode, status, err.message);
          assert.equal(err.param, param);
          return true;
        },
      );
    }
  });
});
