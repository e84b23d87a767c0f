import { createContext } from '@lit/context';
import type { BillingStore } from './billing-store.js';

/** The context a `<billing-provider>` answers with its store (`@lit/context`, the Context Community Protocol). */
export const billingContext = createContext<BillingStore>('billing-store');
