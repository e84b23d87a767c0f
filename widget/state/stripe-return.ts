/**
 * What the page came back from: `?checkout=success|cancel` or `?setup=success`, or `?checkout=error`
 * when the server could not find the checkout session on its `/success` or `/cancel` callback.
 */
export type StripeReturn = 'checkout_success' | 'checkout_cancel' | 'checkout_error' | 'setup_success';

const RETURNS: StripeReturn[] = ['checkout_success', 'checkout_cancel', 'checkout_error', 'setup_success'];

/**
 * Reads the Stripe return parameter and removes it from the address bar, so a reload or a second
 * store does not report the same return twice.
 */
export function consumeStripeReturn(): StripeReturn | undefined {
  const url = new URL(location.href);
  const found = RETURNS.find((kind) => {
    const [name, value] = kind.split('_');
    return url.searchParams.get(name) === value;
  });
  if (found) {
    url.searchParams.delete(found.split('_')[0]);
    history.replaceState(history.state, '', url);
  }
  return found;
}
