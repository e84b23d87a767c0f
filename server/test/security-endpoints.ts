/**
 * Every route of the billing API, grouped by how it authenticates, so the security suites walk
 * all of them: a route added to the app but not here is caught by the completeness test in
 * security-isolation.test.ts.
 */

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** A valid body, so that only the part under test is wrong. */
  body?: Record<string, unknown>;
}

/** Widget-facing routes that need the user's JWT. */
export const USER_ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/api/billing/credits' },
  { method: 'GET', path: '/api/billing/summary' },
  { method: 'GET', path: '/api/billing/transactions' },
  { method: 'GET', path: '/api/billing/subscription-access' },
  { method: 'GET', path: '/api/billing/usage-summary' },
  { method: 'POST', path: '/api/billing/has-payment-method' },
  { method: 'POST', path: '/api/billing/create-checkout-session', body: { amount: 10 } },
  { method: 'POST', path: '/api/billing/create-customer-setup-session', body: {} },
  { method: 'POST', path: '/api/billing/subscription-checkout-session', body: {} },
  { method: 'POST', path: '/api/billing/cancel-subscription' },
  { method: 'POST', path: '/api/billing/resume-subscription' },
  { method: 'POST', path: '/api/billing/portal-session', body: {} },
  {
    method: 'PUT',
    path: '/api/billing/auto-recharge',
    body: { enabled: false, threshold: 10, amount: 25, monthly_cap: 100 },
  },
  { method: 'POST', path: '/api/billing/auto-recharge/complete', body: {} },
  { method: 'POST', path: '/api/billing/close-checkout-session', body: { session_id: 'cs_test_unknown' } },
];

/** The widget mutations: rate-limited per account. */
export const MUTATION_ENDPOINTS = USER_ENDPOINTS.filter(
  (e) => e.method === 'POST' && e.path !== '/api/billing/has-payment-method',
);

/** Server-to-server routes that need the API key. */
export const API_KEY_ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    path: '/api/billing/usage',
    body: { user_id: 'alice', amount: 1, idempotency_key: 'k1' },
  },
  {
    method: 'POST',
    path: '/api/billing/grants',
    body: { user_id: 'alice', amount: 1, idempotency_key: 'k2' },
  },
  { method: 'GET', path: '/api/billing/accounts/user:alice' },
  { method: 'POST', path: '/api/billing/reconcile' },
];
