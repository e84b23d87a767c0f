import type { SubscriptionStatus } from '../client/types.js';

/** English, the default and the shape every translation follows. `{}` marks where a value goes. */
export const en = {
  loading: 'Loading…',
  retry: 'Retry',
  close: 'Close',
  offline: 'Could not reach the billing server.',
  disabled: 'Billing is turned off.',
  balance: 'Credit balance',
  noCredits: 'No credits yet.',
  topup: 'Add credits',
  other: 'Other amount',
  add: 'Add {}',
  choose: 'Choose an amount.',
  badAmount: 'Enter an amount like 25 or 25.50.',
  tooSmall: 'The minimum is {}.',
  tooLarge: 'The maximum is {}.',
  subscription: 'Subscription',
  plan: '{} a month',
  subscribe: 'Subscribe',
  status: {
    none: 'No subscription.',
    active: 'Renews on {}.',
    cancelling: 'Ends on {}.',
    past_due: 'Your last payment failed.',
    ended: 'Your subscription ended.',
  } satisfies Record<SubscriptionStatus, string>,
  cancel: 'Cancel subscription',
  confirmCancel: 'Cancel? Access lasts until {}.',
  keep: 'Keep it',
  confirm: 'Yes, cancel',
  resume: 'Resume',
  updateCard: 'Update card',
  setupTitle: 'Add a payment method',
  offer: 'Get {} of free credits.',
  addCard: 'Add card',
  paymentMethod: 'Payment method',
  /** Brand, last 4 digits, expiry (MM/YY). */
  cardOnFile: '{} •••• {}, expires {}',
  replace: 'Replace',
  notNow: 'Not now',
  poweredBy: 'Powered by Stripe',
  history: 'Transactions',
  noHistory: 'No transactions yet.',
  more: 'Load more',
  columns: ['Date', 'Description', 'Amount', 'Balance'],
  /** Shown for a ledger entry without a description. */
  kinds: {
    purchase: 'Top-up',
    subscription: 'Plan credit',
    welcome: 'Welcome credit',
    usage: 'Usage',
    grant: 'Credit grant',
    refund: 'Refund',
  } as Record<string, string>,
  manage: 'Manage billing',
  returned: {
    checkout_success: 'Payment received.',
    checkout_cancel: 'Checkout cancelled.',
    checkout_error:
      'We could not confirm that payment. If you were charged, your balance will update shortly.',
    setup_success: 'Card saved.',
  },
};

/** The messages every element reads. */
export type Messages = typeof en;

/** Puts `values`, in order, where a message has `{}`. */
export function fill(message: string, ...values: string[]): string {
  let next = 0;
  return message.replace(/\{\}/g, () => values[next++] ?? '');
}
