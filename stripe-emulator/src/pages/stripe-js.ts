import type { Emulator } from '../emulator.ts';

/** Where the stand-in is served; the billing server's `/config` names it in emulator mode. */
export const STRIPE_JS_PATH = '/v3/stripe-stand-in.js';

/**
 * A stand-in for Stripe.js, as much of it as on-page (embedded) Checkout uses: `Stripe(key)` and
 * its `createEmbeddedCheckoutPage` (and the older name `initEmbeddedCheckout`) with `clientSecret`
 * or `fetchClientSecret` and `onComplete`, whose instance has `mount`, `unmount` and `destroy`.
 * `mount` frames the emulator's checkout page for the session (`/c/embedded/:client_secret`);
 * the frame reports completion with `postMessage`, which is believed only when it comes from the
 * emulator's origin (this script's own) and from that frame. `version` is the release train
 * `@stripe/stripe-js` expects, so loadStripe takes it as it finds it on `window.Stripe`.
 *
 * Written as plain browser JavaScript in a string: the emulator serves it as it is, with no build.
 */
const SCRIPT = `(() => {
  const origin = new URL(document.currentScript.src).origin;
  function Stripe(key) {
    if (typeof key !== 'string' || !/^pk_/.test(key)) {
      throw new Error('Stripe(): expected a publishable key (pk_...), got ' + typeof key);
    }
    async function createEmbeddedCheckoutPage(options) {
      const secret = options.clientSecret || (await options.fetchClientSecret());
      if (typeof secret !== 'string' || secret.indexOf('_secret_') < 0) {
        throw new Error('createEmbeddedCheckoutPage: a Checkout Session client secret is required');
      }
      let frame = null;
      let destroyed = false;
      const listen = (event) => {
        if (!frame || event.origin !== origin || event.source !== frame.contentWindow) return;
        const data = event.data || {};
        if (data.source !== 'stripe-emulator-checkout') return;
        if (data.type === 'complete' && options.onComplete) options.onComplete();
        if (data.type === 'redirect') location.assign(data.url);
      };
      addEventListener('message', listen);
      return {
        mount(target) {
          if (destroyed) throw new Error('This Embedded Checkout was destroyed; create a new one.');
          const host = typeof target === 'string' ? document.querySelector(target) : target;
          if (!host) throw new Error('mount(): no element matches ' + target);
          frame = document.createElement('iframe');
          frame.title = 'Secure checkout';
          frame.name = 'embedded-checkout';
          frame.allow = 'payment';
          frame.style.cssText = 'border:0;width:100%;height:100%;min-height:20rem;display:block;color-scheme:normal';
          frame.src = origin + '/c/embedded/' + encodeURIComponent(secret) + '?parent=' + encodeURIComponent(location.origin);
          host.append(frame);
        },
        unmount() {
          if (frame) frame.remove();
          frame = null;
        },
        destroy() {
          this.unmount();
          destroyed = true;
          removeEventListener('message', listen);
        },
      };
    }
    return { createEmbeddedCheckoutPage, initEmbeddedCheckout: createEmbeddedCheckoutPage };
  }
  Stripe.version = 'endive';
  window.Stripe = Stripe;
})();
`;

/** Serves the Stripe.js stand-in at `STRIPE_JS_PATH`. */
export function registerStripeJsStandIn(emu: Emulator): void {
  emu.app.get(STRIPE_JS_PATH, (c) =>
    c.body(SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
}
