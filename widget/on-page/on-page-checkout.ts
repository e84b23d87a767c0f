import { loadStripe } from '@stripe/stripe-js/pure';
import type { BillingClient } from '../client/billing-client.js';
import type { CheckoutStart, PublicConfig } from '../client/types.js';
import type { CheckoutKind } from '../events/billing-checkout.js';
import type { BillingStore, StoreHost } from '../state/billing-store.js';

/**
 * On-page (embedded) Checkout: the code that runs only once a payment starts in `embedded` mode,
 * built as a chunk of its own (vite.config.ts), so neither it nor Stripe.js is loaded with the page.
 */

/** The element a payment starts from: it shows the toast, and the dialog goes in its shadow root. */
export type PayingHost = StoreHost & { readonly renderRoot: HTMLElement | DocumentFragment };

/** The text of a dialog made for the payment, in the element's language, and where focus goes back to. */
export interface DialogText {
  title: string;
  closeLabel: string;
  /** What had focus in the element when the payment started (its button, disabled meanwhile). */
  back: HTMLElement | null;
}

export interface OnPageCheckoutOptions extends DialogText {
  /** The session's client secret, from the server. */
  clientSecret: string;
  publishableKey: string;
  /** Emulator mode: the Stripe.js stand-in to put on the page first; null loads Stripe's own script. */
  stripeJsUrl: string | null;
  /** The element's shadow root: its open dialog is used (the setup modal's), or one is made in it. */
  root: ShadowRoot;
}

/** `/config` per client, asked when its first on-page payment starts (never on page load). */
const configs = new WeakMap<BillingClient, Promise<PublicConfig>>();

function publicConfig(client: BillingClient): Promise<PublicConfig> {
  let config = configs.get(client);
  if (!config) {
    config = client.call<PublicConfig>('config');
    configs.set(client, config);
    config.catch(() => configs.delete(client));
  }
  return config;
}

/**
 * A payment on the page: once the session (`started`) and `/config` are in, Stripe's on-page
 * Checkout runs in a dialog (`runOnPageCheckout`). When Stripe reports completion or the dialog is
 * closed, the server closes the session (expires an unpaid one so it can never be paid, records a
 * paid one at once); a completed payment then refreshes every element once (`billing-change`) with
 * the success toast, a closed one shows "Checkout cancelled." The page never navigates.
 */
export async function payOnPage(
  store: BillingStore,
  origin: PayingHost,
  kind: CheckoutKind,
  started: Promise<CheckoutStart>,
  text: DialogText,
): Promise<void> {
  const { client } = store;
  const [session, { publishable_key, stripe_js_url }] = await Promise.all([started, publicConfig(client)]);
  if (!('client_secret' in session)) throw new Error('The server did not start an on-page checkout.');
  let completed = false;
  try {
    completed = await runOnPageCheckout({
      ...text,
      root: origin.renderRoot as ShadowRoot,
      clientSecret: session.client_secret,
      publishableKey: publishable_key,
      stripeJsUrl: stripe_js_url,
    });
  } finally {
    // The client's own `call`, not a method of it: this chunk is the only caller, kept out of the bundle.
    await client.call('close-checkout-session', { session_id: session.session_id });
  }
  // After the element re-enabled its buttons (once this returns): a task later.
  setTimeout(() => text.back?.focus());
  if (completed) await store.refresh(origin, true);
  const outcome = completed ? (kind === 'setup' ? 'setup_success' : 'checkout_success') : 'checkout_cancel';
  origin.toast((m) => m.returned[outcome], 'info');
}

/** Adds a `<script src>` to the page once and waits for it to run. */
function addScript(src: string): Promise<void> {
  if (document.querySelector(`script[src="${CSS.escape(src)}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`Stripe.js could not be loaded from ${src}`));
    document.head.append(script);
  });
}

/**
 * The look of on-page Checkout in an element's shadow root: the dialog widened for Stripe's form,
 * the frame's place given room, and in the setup modal's own card everything but the heading set
 * aside while the form is there.
 */
const STYLE = `dialog:has([part~='checkout']) { width: min(34em, 94vw); max-height: 94vh; }
  [part~='checkout-dialog'] { padding: 0; border: 0; background: none; }
  [part~='checkout-dialog']::backdrop { background: #0008; }
  [part~='checkout-dialog'] header { justify-content: space-between; }
  [part~='base']:has(> [part~='checkout']) > :not(h2, header, [part~='checkout']) { display: none; }
  [part~='checkout'] { height: min(40em, 76vh); border-radius: var(--_radius); overflow: hidden; }`;

/**
 * Where Stripe's frame goes: a `<div part="checkout">` added to the card of the element's open
 * dialog (the setup modal collects the card inside itself), or else in a modal dialog made here
 * with a title and a close button. `made` says which, so only a made dialog is removed after.
 */
function checkoutPlace({ root, title, closeLabel }: OnPageCheckoutOptions) {
  if (!root.querySelector('style[data-on-page]')) {
    const style = document.createElement('style');
    style.dataset.onPage = '';
    style.textContent = STYLE;
    root.append(style);
  }
  const mount = document.createElement('div');
  mount.setAttribute('part', 'checkout');
  let dialog = root.querySelector<HTMLDialogElement>('dialog[open]');
  const made = !dialog;
  if (dialog) {
    dialog.querySelector('[part~="base"]')!.append(mount);
  } else {
    dialog = document.createElement('dialog');
    dialog.setAttribute('part', 'checkout-dialog');
    dialog.setAttribute('aria-labelledby', 'checkout-title');
    dialog.innerHTML = `<section part="base"><header class="row"><h2 id="checkout-title" part="heading"></h2>
      <button part="close" class="secondary" type="button">&times;</button></header></section>`;
    dialog.querySelector('h2')!.textContent = title;
    const close = dialog.querySelector('button')!;
    close.setAttribute('aria-label', closeLabel);
    close.onclick = () => dialog!.close();
    dialog.firstElementChild!.append(mount);
    root.append(dialog);
    dialog.showModal();
  }
  return { dialog, mount, made };
}

/**
 * Shows Stripe's on-page Checkout for the session in a modal dialog: focus stays inside (a modal
 * `<dialog>` makes the rest of the page inert), Escape or the close button ends it. Resolves true
 * when Stripe reports the session complete (the dialog is then closed), false when the dialog was
 * closed first. Stripe's frame is destroyed either way, and what was added here removed; after a
 * failure the element's own dialog stays open to show it.
 */
export async function runOnPageCheckout(options: OnPageCheckoutOptions): Promise<boolean> {
  const { dialog, mount, made } = checkoutPlace(options);
  let finish!: (completed: boolean) => void;
  const finished = new Promise<boolean>((resolve) => (finish = resolve));
  const onClose = () => finish(false);
  dialog.addEventListener('close', onClose);
  let checkout: { mount(el: HTMLElement): void; destroy(): void } | undefined;
  try {
    if (options.stripeJsUrl) await addScript(options.stripeJsUrl);
    const stripe = await loadStripe(options.publishableKey);
    if (!stripe) throw new Error('Stripe.js is not available here');
    if (!dialog.open) return false;
    checkout = await stripe.createEmbeddedCheckoutPage({
      clientSecret: options.clientSecret,
      onComplete: () => finish(true),
    });
    if (!dialog.open) return false;
    checkout.mount(mount);
    const completed = await finished;
    dialog.close();
    return completed;
  } finally {
    dialog.removeEventListener('close', onClose);
    checkout?.destroy();
    mount.remove();
    if (made) {
      dialog.close();
      dialog.remove();
    }
  }
}
