import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardFor, isTestPaymentMethodToken } from './cards.ts';

test('test card numbers, with or without spaces, map to their brand and outcome', () => {
  assert.deepEqual(cardFor('4242 4242 4242 4242'), {
    number: '4242424242424242',
    brand: 'visa',
    last4: '4242',
    outcome: 'succeeds',
  });
  assert.equal(cardFor('4000-0000-0000-0002')?.outcome, 'declined');
  assert.equal(cardFor('4000000000009995')?.outcome, 'insufficient_funds');
  assert.equal(cardFor('4000 0000 0000 0341')?.outcome, 'fails_after_attach');
  assert.equal(cardFor('4000002760003184')?.outcome, 'authentication_required');
  assert.equal(cardFor('5555555555554444')?.brand, 'mastercard');
});

test('pm_card_* test PaymentMethods map to the same cards', () => {
  assert.equal(cardFor('pm_card_visa')?.number, '4242424242424242');
  assert.equal(cardFor('pm_card_visa_chargeDeclined')?.outcome, 'declined');
  assert.equal(cardFor('pm_card_visa_chargeDeclinedInsufficientFunds')?.outcome, 'insufficient_funds');
  assert.equal(cardFor('pm_card_chargeCustomerFail')?.outcome, 'fails_after_attach');
  assert.equal(cardFor('pm_card_authenticationRequired')?.outcome, 'authentication_required');
  assert.equal(isTestPaymentMethodToken('pm_card_visa'), true);
  assert.equal(isTestPaymentMethodToken('pm_1Abc'), false);
});

test('anything else is not a card the emulator accepts', () => {
  for (const input of ['', '4242', '4111111111111111', '4242424242424241', 'pm_card_nonsense', 'tok_visa']) {
    assert.equal(cardFor(input), undefined, input);
  }
});
