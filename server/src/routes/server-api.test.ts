import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../testing.ts';

describe('server-to-server API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.audit();
    await t.close();
  });

  const usage = (body: unknown) => t.call('POST', '/api/billing/usage', { apiKey: true, body });
  const grant = (body: unknown) => t.call('POST', '/api/billing/grants', { apiKey: true, body });

  test('the API key is required: missing, wrong, or a user token is 401 and nothing changes', async () => {
    await t.fund('org:acct_a', 1000);
    const before = await t.snapshot();
    const body = { account_id: 'acct_a', amount: 1, idempotency_key: 'k1' };
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-key-wrong-key-wrong-key' },
      { authorization: `Bearer ${t.token('acct_a')}` },
      { authorization: `bearer${t.config.apiKey}` },
    ];
    for (const headers of attempts) {
      for (const path of ['/api/billing/usage', '/api/billing/grants']) {
        const res = await t.call('POST', path, { headers, body });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(res.body.error.code, 'invalid_api_key');
      }
      assert.equal((await t.call('GET', '/api/billing/accounts/org:acct_a', { headers })).status, 401);
    }
    assert.equal(await t.snapshot(), before);
  });

  test('usage debits and answers the new balance; the same key twice debits once', async () => {
    await t.fund('org:acct_a', 1250);
    const first = await usage({
      account_id: 'acct_a',
      amount: 1.25,
      idempotency_key: 'job-1',
      description: 'LLM call',
    });
    assert.equal(first.status, 200);
    assert.deepEqual(
      { ...first.body, entry_id: typeof first.body.entry_id },
      {
        account_id: 'org:acct_a',
        balance: '11.25',
        balance_cents: 1125,
        entry_id: 'string',
        replayed: false,
        auto_recharge: { started: false, status: 'off' },
      },
    );
    const again = await usage({
      account_id: 'acct_a',
      amount: 1.25,
      idempotency_key: 'job-1',
      description: 'LLM call',
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.balance_cents, 1125);
    assert.equal(again.body.replayed, true);
    assert.equal(again.body.entry_id, null);
    await t.fund('user:ann', 100);
    const byUser = await usage({ user_id: 'ann', amount: 0.25, idempotency_key: 'job-2' });
    assert.equal(byUser.body.account_id, 'user:ann');
    assert.equal(byUser.body.balance, '0.75');
    const rows = await t.store.sql.run(
      "SELECT kind, amount_cents, description FROM ledger_entries WHERE kind = 'usage' ORDER BY seq",
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.kind, r.amount_cents, r.description]),
      [
        ['usage', -125, 'LLM call'],
        ['usage', -25, null],
      ],
    );
  });

  test('the same key with a different amount or account is 409 idempotency_conflict and changes nothing', async () => {
    await t.fund('org:acct_a', 1000);
    await t.fund('org:acct_b', 1000);
    await usage({ account_id: 'acct_a', amount: 1, idempotency_key: 'job-1' });
    const before = await t.snapshot();
    for (const body of [
      { account_id: 'acct_a', amount: 2, idempotency_key: 'job-1' },
      { account_id: 'acct_b', amount: 1, idempotency_key: 'job-1' },
    ]) {
      const res = await usage(body);
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'idempotency_conflict');
    }
    // A grant reusing a usage key is the same conflict: one key names one change.
    assert.equal((await grant({ account_id: 'acct_a', amount: 1, idempotency_key: 'job-1' })).status, 409);
    assert.equal(await t.snapshot(), before);
  });

  test('a debit larger than the balance is 402 insufficient_credits and debits nothing', async () => {
    await t.fund('org:acct_a', 500);
    const before = await t.snapshot();
    const res = await usage({ account_id: 'acct_a', amount: 5.01, idempotency_key: 'big' });
    assert.equal(res.status, 402);
    assert.equal(res.body.error.code, 'insufficient_credits');
    assert.equal(res.body.error.field, 'amount');
    // An account that never existed is not created by a refused debit.
    assert.equal((await usage({ account_id: 'ghost', amount: 1, idempotency_key: 'g' })).status, 402);
    assert.equal(await t.snapshot(), before);
    // The refused key was not consumed.
    await t.fund('org:acct_a', 1);
    assert.equal(
      (await usage({ account_id: 'acct_a', amount: 5.01, idempotency_key: 'big' })).body.balance_cents,
      0,
    );
  });

  test('bad amounts: each a clear 400 naming the field, and the store unchanged', async () => {
    await t.fund('org:acct_a', 1000);
    const before = await t.snapshot();
    const cases: Array<[unknown, string]> = [
      [-5, 'invalid_amount'],
      [0, 'invalid_amount'],
      ['0.00', 'invalid_amount'],
      ['-1', 'invalid_amount'],
      ['five', 'invalid_amount'],
      [true, 'invalid_amount'],
      [false, 'invalid_amount'],
      [[5], 'invalid_amount'],
      [{ value: 5 }, 'invalid_amount'],
      [null, 'invalid_amount'],
      ['NaN', 'invalid_amount'],
      ['Infinity', 'invalid_amount'],
      ['-Infinity', 'invalid_amount'],
      [1.234, 'invalid_amount'],
      ['1.234', 'invalid_amount'],
      ['1e2', 'invalid_amount'],
      [0.001, 'invalid_amount'],
      [1e21, 'amount_too_large'],
      [1e308, 'amount_too_large'],
      // A string is refused whatever it says: amounts are JSON numbers.
      ['100000000000000000000000', 'invalid_amount'],
      ['25', 'invalid_amount'],
      ['25.00', 'invalid_amount'],
      [1_000_000.01, 'amount_too_large'],
    ];
    for (const [amount, code] of cases) {
      for (const send of [usage, grant]) {
        const res = await send({
          account_id: 'acct_a',
          amount,
          idempotency_key: `k-${JSON.stringify(amount)}`,
        });
        assert.equal(res.status, 400, `amount ${JSON.stringify(amount)}`);
        assert.equal(res.body.error.code, code, `amount ${JSON.stringify(amount)}`);
        assert.equal(res.body.error.field, 'amount');
      }
    }
    const missing = await usage({ account_id: 'acct_a', idempotency_key: 'k' });
    assert.equal(missing.body.error.code, 'invalid_amount');
    assert.equal(await t.snapshot(), before);
  });

  test('bad accounts, idempotency keys, descriptions and kinds are 400s and store nothing', async () => {
    const before = await t.snapshot();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ user_id: '', amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ user_id: 'a', account_id: 'a', amount: 1, idempotency_key: 'k' }, 'ambiguous_account'],
      [{ user_id: 'a', account_id: 'b', amount: 1, idempotency_key: 'k' }, 'ambiguous_account'],
      [{ account_id: '', amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ account_id: 5, amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ account_id: 'a'.repeat(129), amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ account_id: 'has space', amount: 1, idempotency_key: 'k' }, 'invalid_account'],
      [{ account_id: 'a', amount: 1 }, 'invalid_idempotency_key'],
      [{ account_id: 'a', amount: 1, idempotency_key: '' }, 'invalid_idempotency_key'],
      [{ account_id: 'a', amount: 1, idempotency_key: 7 }, 'invalid_idempotency_key'],
      [{ account_id: 'a', amount: 1, idempotency_key: 'k'.repeat(256) }, 'invalid_idempotency_key'],
      [{ account_id: 'a', amount: 1, idempotency_key: 'k', description: 5 }, 'invalid_field'],
      [{ account_id: 'a', amount: 1, idempotency_key: 'k', description: 'd'.repeat(501) }, 'invalid_field'],
    ];
    for (const [body, code] of cases) {
      const res = await grant(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.error.code, code, JSON.stringify(body).slice(0, 80));
    }
    const kind = await grant({ account_id: 'a', amount: 1, idempotency_key: 'k', kind: 'purchase' });
    assert.equal(kind.body.error.code, 'invalid_kind');
    assert.equal(await t.snapshot(), before);
  });

  test('grants credit once per key, create the account, and may be refunds', async () => {
    const promo = await grant({
      account_id: 'new_user',
      amount: 10,
      idempotency_key: 'promo-1',
      description: 'Launch promo',
    });
    assert.equal(promo.status, 200);
    assert.equal(promo.body.balance, '10.00');
    assert.equal(
      (await grant({ account_id: 'new_user', amount: 10, idempotency_key: 'promo-1' })).body.replayed,
      true,
    );
    const refund = await grant({
      account_id: 'new_user',
      amount: 2.5,
      idempotency_key: 'refund-1',
      kind: 'refund',
    });
    assert.equal(refund.body.balance_cents, 1250);
    const history = await t.store.ledgerPage('org:new_user', 10, null);
    assert.deepEqual(
      history.entries.map((e) => e.kind),
      ['refund', 'grant'],
    );
  });

  test('GET /accounts/:id reads an account; an unknown one is 404', async () => {
    await t.fund('org:acct_a', 4200);
    const res = await t.call('GET', '/api/billing/accounts/org:acct_a', { apiKey: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'org:acct_a');
    assert.equal(res.body.balance, '42.00');
    assert.equal(res.body.balance_cents, 4200);
    assert.equal(res.body.has_payment_method, false);
    assert.equal(res.body.stripe_customer_id, null);
    assert.equal(res.body.subscription.status, 'none');
    const missing = await t.call('GET', '/api/billing/accounts/org:nobody%3Cb%3E', { apiKey: true });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'account_not_found');
    assert.doesNotMatch(missing.body.error.message, /nobody|<b>/, 'the key is not echoed');
  });

  test("user_id and account_id name different accounts, as a token's sub and account claim do", async () => {
    const forUser = await grant({ user_id: 'acme', amount: 5, idempotency_key: 'user-grant' });
    const forOrg = await grant({ account_id: 'acme', amount: 7, idempotency_key: 'org-grant' });
    assert.equal(forUser.body.account_id, 'user:acme');
    assert.equal(forUser.body.balance_cents, 500);
    assert.equal(forOrg.body.account_id, 'org:acme');
    assert.equal(forOrg.body.balance_cents, 700);
    const credits = async (token: string) => (await t.call('GET', '/api/billing/credits', { token })).body;
    assert.deepEqual(await credits(t.token('acme')), { credits: '5.00' });
    assert.deepEqual(await credits(t.token('zoe', { account: 'acme' })), { credits: '7.00' });
    assert.deepEqual(await credits(t.token('acme', { account: 'acme' })), { credits: '7.00' });
    // A debit of the user's account never reaches the organisation's, and the reverse.
    const overdraw = await usage({ user_id: 'acme', amount: 6, idempotency_key: 'too-much' });
    assert.equal(overdraw.status, 402);
    assert.equal((await usage({ account_id: 'acme', amount: 6, idempotency_key: 'fits' })).status, 200);
    assert.deepEqual(await credits(t.token('acme')), { credits: '5.00' });

    const before = await t.snapshot();
    const both = await grant({ user_id: 'acme', account_id: 'acme', amount: 1, idempotency_key: 'both' });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.code, 'ambiguous_account');
    assert.equal(await t.snapshot(), before);
  });

  test('GET /accounts/:id takes the account key (colon raw or percent-encoded); a bare id is 400', async () => {
    await grant({ user_id: 'acme', amount: 5, idempotency_key: 'user-grant' });
    await grant({ account_id: 'acme', amount: 7, idempotency_key: 'org-grant' });
    const read = (key: string) => t.call('GET', `/api/billing/accounts/${key}`, { apiKey: true });
    for (const [key, id, cents] of [
      ['user:acme', 'user:acme', 500],
      ['user%3Aacme', 'user:acme', 500],
      ['org:acme', 'org:acme', 700],
      ['org%3aacme', 'org:acme', 700],
    ] as const) {
      const res = await read(key);
      assert.equal(res.status, 200, key);
      assert.equal(res.body.id, id, key);
      assert.equal(res.body.balance_cents, cents, key);
    }
    for (const key of ['acme', 'team:acme', 'user:', 'org%3A', 'USER:acme', `user:${'a'.repeat(129)}`]) {
      const res = await read(key);
      assert.equal(res.status, 400, key);
      assert.equal(res.body.error.code, 'invalid_account_key', key);
      assert.match(res.body.error.message, /user:<user id>.*org:<account id>/, key);
    }
    assert.equal((await read('user:nobody')).status, 404);
  });

  test('concurrent debits never overdraw: exactly as many succeed as the balance covers', async () => {
    await t.fund('org:acct_a', 1000);
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        usage({ account_id: 'acct_a', amount: 1, idempotency_key: `c-${i}` }),
      ),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 10);
    assert.equal(answers.filter((a) => a.status === 402).length, 5);
    assert.equal(await t.store.balance('org:acct_a'), 0);
  });
});
