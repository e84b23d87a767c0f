import type { Config } from '../config.ts';
import { formatCents } from '../money.ts';

/** Top-up bounds and plans as widgets show them: decimal strings plus integer cents. */
export function publicOffer(config: Config) {
  return {
    topup: {
      min: formatCents(config.topupMinCents),
      max: formatCents(config.topupMaxCents),
      min_cents: config.topupMinCents,
      max_cents: config.topupMaxCents,
    },
    plans: config.plans.map((p) => ({
      id: p.id,
      name: p.name,
      amount: formatCents(p.amountCents),
      amount_cents: p.amountCents,
      interval: p.interval,
      included_credit: formatCents(p.includedCreditCents),
      included_credit_cents: p.includedCreditCents,
    })),
  };
}
