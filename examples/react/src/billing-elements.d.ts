/**
 * The billing elements as JSX tags. React 19 sets a custom element's known properties (such as
 * `tokenProvider`) as properties and turns `on<event-name>` props into event listeners.
 */

import type {
  BillingChangeEvent,
  BillingCheckoutEvent,
  BillingErrorEvent,
  BillingProvider,
  TokenProvider,
} from 'billing-widgets';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

/** The attributes and events every billing element takes. */
type BillingElementProps = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & {
  'api-base'?: string;
  token?: string;
  theme?: 'light' | 'dark';
  'onbilling-error'?: (event: BillingErrorEvent) => void;
  'onbilling-change'?: (event: BillingChangeEvent) => void;
  'onbilling-checkout'?: (event: BillingCheckoutEvent) => void;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'billing-provider': DetailedHTMLProps<HTMLAttributes<BillingProvider>, BillingProvider> & {
        'api-base'?: string;
        tokenProvider?: TokenProvider;
      };
      'billing-balance': BillingElementProps;
      'billing-topup': BillingElementProps & { presets?: string };
      'billing-subscription': BillingElementProps;
      'billing-history': BillingElementProps & { 'page-size'?: number };
      'billing-portal-button': BillingElementProps;
      'setup-payment-modal': BillingElementProps & { 'auto-open'?: boolean };
    }
  }
}
