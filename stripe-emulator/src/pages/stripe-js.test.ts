import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { startEmulator } from '../testing.ts';
import { STRIPE_JS_PATH } from './stripe-js.ts';

const HOST = 'http://app.example.test';
const nextYear = String((new Date().getUTCFullYear() + 1) % 100).padStart(2, '0');

function pay(url: string, number = '4242 4242 4242 4242') {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email: 'payer@example.com', number, expiry: `12 / ${nextYear}`, cvc: '123' }),
  });
}

async function embedded(
  t: { after: (fn: () => Promise<void>) => void },
  extra: Partial<Stripe.Checkout.SessionCreateParams> = { redirect_on_completion: 'never' },
) {
  const run = await startEmulator();
  t.after(() => run.close());
  const session = await run.stripe.checkout.sessions.create({
    mode: 'payment',
    ui_mode: 'embedded_page',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Credits' } }, quantity: 1 },
    ],
    ...extra,
  });
  const frame = `${run.url}/c/embedded/${session.client_secret}?parent=${encodeURIComponent(HOST)}`;
  return { run, session, frame };
}

test('the Stripe.js stand-in is served as JavaScript and defines what the elements call', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const res = await fetch(`${run.url}${STRIPE_JS_PATH}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
  const script = await res.text();
  for (const part of [
    'window.Stripe',
    'createEmbeddedCheckoutPage',
    'initEmbeddedCheckout',
    'mount(',
    'unmount(',
    'destroy(',
    "Stripe.version = 'endive'",
  ]) {
    assert.ok(script.includes(part), part);
  }
  // Completion is believed from the emulator's origin and the frame only.
  assert.match(script, /event\.origin !== origin \|\| event\.source !== frame\.contentWindow/);
  // It parses as a script.
  assert.doesNotThrow(() => new Function(script));
});

test('the frame: the card form for an on-page session; paying posts completion to the parent origin only', async (t) => {
  const { run, session, frame } = await embedded(t);
  const page = await fetch(frame);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<label for="number">Card number<\/label>/);
  assert.ok(
    html.includes(`action="/c/embedded/${session.client_secret}?parent=${encodeURIComponent(HOST)}"`),
  );
  assert.doesNotMatch(html, /Cancel and return/);

  const paid = await pay(frame);
  assert.equal(paid.status, 200);
  const done = await paid.text();
  assert.ok(
    done.includes(`parent.postMessage({"source":"stripe-emulator-checkout","type":"complete"}, "${HOST}");`),
    done,
  );
  const after = await run.stripe.checkout.sessions.retrieve(session.id);
  assert.equal(after.status, 'complete');
  assert.equal(after.payment_status, 'paid');
  // Paid once: the frame now says so and takes no second payment.
  assert.match(await (await fetch(frame)).text(), /Already complete/);
});

test('the frame: a declined card is shown inside it, the session stays open', async (t) => {
  const { run, session, frame } = await embedded(t);
  const declined = await pay(frame, '4000000000000002');
  assert.equal(declined.status, 402);
  assert.match(await declined.text(), /role="alert"[^>]*>Your card was declined/);
  assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'open');
});

test('the frame: with a return_url the parent is told where to go (redirect_on_completion always)', async (t) => {
  const { frame } = await embedded(t, { return_url: `${HOST}/done?session_id={CHECKOUT_SESSION_ID}` });
  const done = await (await pay(frame)).text();
  assert.match(done, /"type":"redirect","url":"http:\/\/app\.example\.test\/done\?session_id=cs_test_/);
});

test('the frame refuses a wrong secret, a hosted session, a bad parent, and an expired session', async (t) => {
  const { run, session, frame } = await embedded(t);
  const wrong = `${run.url}/c/embedded/${session.id}_secret_wrong?parent=${encodeURIComponent(HOST)}`;
  assert.equal((await fetch(wrong)).status, 404);
  assert.equal((await pay(wrong)).status, 404);
  assert.equal((await fetch(frame.replace(/parent=.*/, 'parent=javascript%3Aalert(1)'))).status, 404);
  assert.equal((await fetch(frame.replace(/\?parent=.*/, ''))).status, 404);
  const hosted = await run.stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    success_url: `${HOST}/ok`,
  });
  assert.equal(
    (await fetch(`${run.url}/c/embedded/${hosted.id}_secret_x?parent=${encodeURIComponent(HOST)}`)).status,
    404,
  );

  await run.stripe.checkout.sessions.expire(session.id);
  const expired = await fetch(frame);
  assert.equal(expired.status, 410);
  assert.equal((await pay(frame)).status, 410);
  assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'expired');
});
