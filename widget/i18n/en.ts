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
  /** A negative balance: a refund or dispute took back credit already spent. */
  owes: 'You owe {}',
  owesHint: 'Add credits to keep using the service.',
  owesTopup: 'You owe {}. A top-up pays it first.',
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
    /** A Stripe refund taking back what its payment granted (`refund` with a Stripe object). */
    refund_payment: 'Payment refunded',
    dispute: 'Payment disputed',
    dispute_reinstated: 'Dispute won',
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

/** Puts `value` where a message has `{}`. */
export function fill(message: string, value: string): string {
  return message.replace('{}', value);
}
