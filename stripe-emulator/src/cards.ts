/**
 * Stripe's test cards (docs.stripe.com/testing): the numbers and `pm_card_*` test PaymentMethods the
 * emulator accepts, and what happens when each is charged. Any other number is refused, as test
 * mode refuses real card numbers.
 */

/** What charging a card does: succeed, or fail the way Stripe's test card of that kind fails. */
export type CardOutcome =
  | 'succeeds'
  | 'declined'
  | 'insufficient_funds'
  | 'fails_after_attach'
  | 'authentication_required'
  /** The payment succeeds, then the cardholder disputes it (funds withdrawn at once). */
  | 'disputed';

export interface TestCard {
  number: string;
  brand: string;
  last4: string;
  outcome: CardOutcome;
}

interface CardSpec {
  number: string;
  brand: string;
  outcome: CardOutcome;
  tokens: string[];
}

const TEST_CARDS: CardSpec[] = [
  { number: '4242424242424242', brand: 'visa', outcome: 'succeeds', tokens: ['pm_card_visa'] },
  { number: '4000056655665556', brand: 'visa', outcome: 'succeeds', tokens: ['pm_card_visa_debit'] },
  { number: '5555555555554444', brand: 'mastercard', outcome: 'succeeds', tokens: ['pm_card_mastercard'] },
  { number: '378282246310005', brand: 'amex', outcome: 'succeeds', tokens: ['pm_card_amex'] },
  {
    number: '4000000000000002',
    brand: 'visa',
    outcome: 'declined',
    tokens: ['pm_card_visa_chargeDeclined', 'pm_card_chargeDeclined'],
  },
  {
    number: '4000000000009995',
    brand: 'visa',
    outcome: 'insufficient_funds',
    tokens: ['pm_card_visa_chargeDeclinedInsufficientFunds', 'pm_card_chargeDeclinedInsufficientFunds'],
  },
  {
    number: '4000000000000341',
    brand: 'visa',
    outcome: 'fails_after_attach',
    tokens: ['pm_card_chargeCustomerFail'],
  },
  {
    number: '4000002760003184',
    brand: 'visa',
    outcome: 'authentication_required',
    tokens: ['pm_card_authenticationRequired'],
  },
  {
    number: '4000000000000259',
    brand: 'visa',
    outcome: 'disputed',
    tokens: ['pm_card_createDispute'],
  },
  // Needs 3DS only on-session before a setup; the emulator has no 3DS step, so its charges succeed.
  {
    number: '4000002500003155',
    brand: 'visa',
    outcome: 'succeeds',
    tokens: ['pm_card_authenticationRequiredOnSetup'],
  },
];

/**
 * The test card for a card number (spaces and dashes allowed) or a `pm_card_*` test PaymentMethod
 * id; undefined for anything else.
 */
export function cardFor(numberOrTestPm: string): TestCard | undefined {
  const input = numberOrTestPm.trim();
  const digits = input.replace(/[\s-]/g, '');
  const spec = /^\d+$/.test(digits)
    ? TEST_CARDS.find((c) => c.number === digits)
    : TEST_CARDS.find((c) => c.tokens.includes(input));
  if (!spec) return undefined;
  return { number: spec.number, brand: spec.brand, last4: spec.number.slice(-4), outcome: spec.outcome };
}

/** True for a `pm_card_*` test PaymentMethod id that Stripe turns into a new PaymentMethod on each use. */
export function isTestPaymentMethodToken(id: string): boolean {
  return id.startsWith('pm_card_') && cardFor(id) !== undefined;
}

/** The test cards a person can type, for the hosted pages' hint. */
export const TEST_CARD_HINTS: ReadonlyArray<{ number: string; effect: string }> = [
  { number: '4242 4242 4242 4242', effect: 'succeeds' },
  { number: '4000 0000 0000 0002', effect: 'is declined (generic decline)' },
  { number: '4000 0000 0000 9995', effect: 'is declined (insufficient funds)' },
  { number: '4000 0000 0000 0341', effect: 'can be saved, but charging it later fails' },
  { number: '4000 0027 6000 3184', effect: 'needs authentication, so off-session charges fail' },
  { number: '4000 0000 0000 0259', effect: 'succeeds, then the payment is disputed (fraudulent)' },
];
