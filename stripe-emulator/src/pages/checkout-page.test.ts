import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { startEmulator } from '../testing.ts';

/** The host site a payer returns to: a real local HTTP server recording what it was asked for. */
async function startHostSite(t: { after: (fn: () => Promise<void>) => void }) {
  const visits: string[] = [];
  const server: Server = createServer((req, res) => {
    visits.push(req.url ?? '');
    res.setHeader('content-type', 'text/plain');
    res.end('back on the host site');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, visits };
}

const nextYear = String((new Date().getUTCFullYear() + 1) % 100).padStart(2, '0');

function pay(url: string, fields: Record<string, string>) {
  const card = {
    email: 'payer@example.com',
    number: '4242 4242 4242 4242',
    expiry: `12 / ${nextYear}`,
    cvc: '123',
    name: 'Ada',
  };
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ ...card, ...fields }),
  });
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const host = await startHostSite(t);
  const run = await startEmulator();
  t.after(() => run.close());
  const session = await run.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Credits pack' } },
        quantity: 2,
      },
    ],
    success_url: `${host.base}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${host.base}/cancel?session_id={CHECKOUT_SESSION_ID}`,
  });
  return { host, run, session, url: session.url! };
}

test('the hosted page shows the items, total, labelled card fields, a cancel link and the test cards', async (t) => {
  const { session, url, host } = await setup(t);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<h1>Pay<\/h1>/);
  assert.match(html, /Credits pack × 2/);
  assert.match(html, /\$25\.00/);
  for (const [id, label] of [
    ['email', 'Email'],
    ['number', 'Card number'],
    ['expiry', 'Expiry'],
    ['cvc', 'CVC'],
    ['name', 'Name on card'],
  ]) {
    assert.match(html, new RegExp(`<label for="${id}">${label}`), id);
    assert.match(html, new RegExp(`<input id="${id}" name="${id}"`), id);
  }
  assert.match(html, /<button type="submit">Pay \$25\.00<\/button>/);
  assert.ok(html.includes(`href="${host.base}/cancel?session_id=${session.id}"`));
  assert.match(html, /4000 0000 0000 0002/);
  assert.doesNotMatch(html, /<script\b|<link\b(?![^>]*href="data:)/);
});

test('paying on the page redirects (303) to success_url with the session id, and the session is paid', async (t) => {
  const { run, session, url, host } = await setup(t);
  const res = await pay(url, {});
  assert.equal(res.status, 303);
  const location = res.headers.get('location')!;
  assert.equal(location, `${host.base}/success?session_id=${session.id}`);
  const landed = await fetch(location);
  assert.equal(await landed.text(), 'back on the host site');
  assert.deepEqual(host.visits, [`/success?session_id=${session.id}`]);
  const paid = await run.stripe.checkout.sessions.retrieve(session.id);
  assert.equal(paid.status, 'complete');
  assert.equal(paid.payment_status, 'paid');
  assert.equal(paid.customer_details?.email, 'payer@example.com');
  assert.equal(paid.customer_details?.name, 'Ada');
  const pi = await run.stripe.paymentIntents.retrieve(paid.payment_intent as string);
  assert.equal(pi.amount_received, 2500);

  const again = await fetch(url);
  assert.equal(again.status, 200);
  assert.match(await again.text(), /Already complete/);
  const repost = await pay(url, {});
  assert.equal(repost.status, 200);
  assert.equal((await run.stripe.charges.list()).data.length, 1);
});

test('a declined card re-renders the page with the decline message (402); the session stays open', async (t) => {
  const { run, session, url } = await setup(t);
  const res = await pay(url, { number: '4000 0000 0000 9995' });
  assert.equal(res.status, 402);
  const html = await res.text();
  assert.match(html, /role="alert"[^>]*>Your card has insufficient funds\./);
  assert.match(html, /<input id="number" name="number"[^>]*value="4000 0000 0000 9995" aria-invalid="true"/);
  assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'open');
  const retry = await pay(url, {});
  assert.equal(retry.status, 303);
});

test('bad form input re-renders with 400 and the field marked, changing nothing', async (t) => {
  const { run, session, url } = await setup(t);
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ number: '4111 1111 1111 1111' }, 'number', /card number is incorrect/],
    [{ expiry: '01 / 20' }, 'expiry', /in the past/],
    [{ expiry: '13 / 40' }, 'expiry', /month is invalid/],
    [{ expiry: 'soon' }, 'expiry', /incomplete/],
    [{ cvc: '1' }, 'cvc', /security code/],
    [{ email: 'nobody' }, 'email', /valid email/],
  ];
  for (const [fields, field, message] of cases) {
    const res = await pay(url, fields);
    assert.equal(res.status, 400, field);
    const html = await res.text();
    assert.match(html, message, field);
    assert.match(html, new RegExp(`<input id="${field}" name="${field}"[^>]*aria-invalid="true"`), field);
  }
  assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'open');
  assert.equal((await run.stripe.paymentIntents.list()).data.length, 0);
});

test('cancel: the link leads back to cancel_url and the session stays open; expired and unknown sessions say so', async (t) => {
  const { run, session, url, host } = await setup(t);
  const html = await (await fetch(url)).text();
  const cancelHref = /<a href="([^"]+)">Cancel and return<\/a>/.exec(html)![1]!.replaceAll('&amp;', '&');
  const back = await fetch(cancelHref);
  assert.equal(back.status, 200);
  assert.deepEqual(host.visits, [`/cancel?session_id=${session.id}`]);
  assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'open');

  await run.stripe.checkout.sessions.expire(session.id);
  const gone = await fetch(url);
  assert.equal(gone.status, 410);
  assert.match(await gone.text(), /expired/);
  assert.equal((await pay(url, {})).status, 410);
  const unknown = await fetch(`${run.url}/c/pay/cs_test_nothing`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /not found/);
});

test('setup and subscription sessions: Save card / Subscribe buttons, and the card is saved or subscribed', async (t) => {
  const host = await startHostSite(t);
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 'known@example.com' });
  const setupSession = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    success_url: `${host.base}/setup?session_id={CHECKOUT_SESSION_ID}`,
  });
  const setupHtml = await (await fetch(setupSession.url!)).text();
  assert.match(setupHtml, /<button type="submit">Save card<\/button>/);
  assert.match(setupHtml, /value="known@example.com" readonly/);
  const saved = await pay(setupSession.url!, { email: '', number: '4000 0000 0000 0341' });
  assert.equal(saved.status, 303);
  assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data[0]?.card?.last4, '0341');

  const subSession = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [
      {
        price_data: {
          currency: 'usd',
          unit_amount: 900,
          recurring: { interval: 'month' },
          product_data: { name: 'Basic' },
        },
        quantity: 1,
      },
    ],
    success_url: `${host.base}/subscribed`,
  });
  const subHtml = await (await fetch(subSession.url!)).text();
  assert.match(subHtml, /<button type="submit">Subscribe<\/button>/);
  assert.match(subHtml, /\$9\.00 per month/);
  const declined = await pay(subSession.url!, { number: '4000000000000341' });
  assert.equal(declined.status, 402);
  const subscribed = await pay(subSession.url!, {});
  assert.equal(subscribed.status, 303);
  assert.equal(subscribed.headers.get('location'), `${host.base}/subscribed`);
  const done = await stripe.checkout.sessions.retrieve(subSession.id);
  const sub = (await stripe.subscriptions.retrieve(done.subscription as string)) as Stripe.Subscription;
  assert.equal(sub.status, 'active');
});
