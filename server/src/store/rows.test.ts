import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountOf, billingSessionOf, integer, ledgerEntryOf, text } from './rows.ts';

describe('rows become records in one place', () => {
  test('an account row in column order, integers as numbers (bigints too)', () => {
    const row = [
      'user:a',
      null,
      12n,
      null,
      'pm_1',
      null,
      '2026-11-01T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      'visa',
      '4242',
      12n,
      2034,
    ];
    assert.deepEqual(accountOf(row), {
      id: 'user:a',
      stripeCustomerId: null,
      balanceCents: 12,
      welcomeGrantedAt: null,
      defaultPaymentMethodId: 'pm_1',
      email: null,
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-02T00:00:00.000Z',
      defaultCard: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 },
    });
    // A card half recorded (or none) is no card.
    assert.equal(accountOf([...row.slice(0, 8), 'visa', null, 12, 2034]).defaultCard, null);
    assert.equal(accountOf([...row.slice(0, 8), null, null, null, null]).defaultCard, null);
  });

  test('a value of the wrong type fails loudly instead of becoming a string', () => {
    assert.throws(() => text(null, 'accounts.id'), /accounts\.id: expected text, got NULL/);
    assert.throws(() => text(5, 'accounts.id'), /expected text, got number 5/);
    assert.throws(() => integer('12', 'accounts.balance_cents'), /expected an integer, got string "12"/);
    assert.throws(() => integer(2 ** 60, 'accounts.balance_cents'), /expected an integer/);
    assert.throws(
      () => ledgerEntryOf([1, 'le_1', 'gift', 5, null, 5, 'now']),
      /ledger_entries\.kind: unexpected value "gift"/,
    );
    assert.throws(
      () => billingSessionOf(['cs_1', 'user:a', 'a', 'paid', 'SETUP', null, null, 'https://x', null]),
      /billing_sessions\.status: unexpected value "paid"/,
    );
  });
});
