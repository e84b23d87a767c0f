import type { AutoRechargeStatus, SubscriptionStatus } from '../client/types.js';

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
    /** A Stripe refund taking back what its payment granted (`refund` with a Stripe object). */
    refund_payment: 'Payment refunded',
    dispute: 'Payment disputed',
    dispute_reinstated: 'Dispute won',
  } as Record<string, string>,
  manage: 'Manage billing',
  autoRecharge: {
    title: 'Auto-recharge',
    threshold: 'When the balance falls below',
    amount: 'Add this amount',
    cap: 'At most per month',
    consent:
      'When usage takes your balance below {}, your saved card is charged {} without asking again, at most {} per calendar month. Turn it off here at any time.',
    charged: 'Charged this month: {}.',
    turnOn: 'Turn on auto-recharge',
    save: 'Save changes',
    turnOff: 'Turn off',
    needsCard: 'Save a card first to use auto-recharge.',
    status: {
      off: 'Off.',
      ready: 'On.',
      charging: 'Charging your card…',
      failed: 'Turned off: the last charge failed.',
      action_required: 'Your bank asks you to confirm the last charge.',
    } satisfies Record<AutoRechargeStatus, string>,
    complete: 'Confirm the payment',
    capReached: "Skipped a recharge: it would pass this month's cap.",
    enterAmount: 'Enter an amount like 10 or 10.50.',
    capBelowAmount: 'The monthly cap must be at least the amount.',
  },
  low: 'Your balance is low.',
  lasts: 'At this pace your balance lasts until {}.',
  usage: 'Usage',
  usageTotal: 'spent in the last {} days',
  noUsage: 'No usage in the last {} days.',
  /** The chart's text alternative: days, first and last day, total, highest day and its date. */
  chart: 'Spend per day, {} days from {} to {}: {} in total, at most {} on {}.',
  /** Shown for usage reported without a feature. */
  otherUse: 'Other',
  day: 'Date',
  total: 'Total',
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
  let i = 0;
  return message.replace(/\{\}/g, () => values[i++] ?? '');
}
