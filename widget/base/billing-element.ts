import { ContextConsumer } from '@lit/context';
import { type CSSResultGroup, html, LitElement, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { BillingApiError } from '../client/billing-api-error.js';
import type { BillingSummary, CheckoutUi, TokenProvider } from '../client/types.js';
import type { CheckoutKind } from '../events/billing-checkout.js';
import type { BillingAction } from '../events/billing-error.js';
import { en, type Messages } from '../i18n/en.js';
import { formatMoney } from '../i18n/format.js';
import { followLang, localeOf } from '../i18n/locale.js';
import { messagesFor } from '../i18n/messages.js';
import { billingContext } from '../state/billing-context.js';
import type { BillingStore, CheckoutCreator, StoreHost } from '../state/billing-store.js';
import { sharedStore } from '../state/shared-store.js';
import { billingStyles } from '../styles/billing.styles.js';

/** What an element is showing; also exposed as a custom state, e.g. `billing-balance:state(error)`. */
export type ViewState = 'loading' | 'loaded' | 'empty' | 'error';

/**
 * The base every billing element extends: finds its store (from an enclosing `<billing-provider>`,
 * or shared by `api-base` and `token`), loads its language, and renders the heading, the loading,
 * error and billing-off states, a failed action with Retry, and the toast, so each element renders
 * only its own content.
 *
 * The parts, custom properties and states below are shared by every element (one stylesheet,
 * `billing.styles.ts`); the analyzer copies them into each element's entry in
 * `custom-elements.json`, where an element may describe one more precisely.
 *
 * @csspart loading - The loading note.
 * @csspart error - Why loading failed, or why the last action failed.
 * @csspart retry - The Retry button: reloads, or runs the failed action again.
 * @csspart toast - The toast (return from Stripe, or an error no host handled).
 * @cssproperty [--billing-color-text=light-dark(#1c1c21, #f1f1f4)] - Text colour.
 * @cssproperty [--billing-color-muted=light-dark(#55555f, #b9b9c4)] - Secondary text colour.
 * @cssproperty [--billing-color-surface=light-dark(#fff, #1f1f25)] - Card background.
 * @cssproperty [--billing-color-border=light-dark(#cfcfd8, #4a4a55)] - Card borders.
 * @cssproperty [--billing-color-accent=light-dark(#1f4fcf, #a7bcff)] - Buttons and focus rings.
 * @cssproperty [--billing-color-on-accent=light-dark(#fff, #101a3a)] - Text on accent buttons.
 * @cssproperty [--billing-color-danger=light-dark(#b3261e, #ffb4ab)] - Errors.
 * @cssproperty [--billing-radius=8px] - Corner radius of cards and buttons.
 * @cssproperty [--billing-spacing=12px] - Padding and gaps.
 * @cssproperty [--billing-font=inherit] - Font shorthand.
 * @cssstate loading - Waiting for the summary.
 * @cssstate error - Loading failed.
 */
export abstract class BillingElement extends LitElement implements StoreHost {
  static override styles: CSSResultGroup = billingStyles;

  /** The billing server's base URL; ignored inside a `<billing-provider>`. Empty means this page's origin. */
  @property({ attribute: 'api-base' }) apiBase = '';

  /** The bearer token (a JWT from the host backend); ignored inside a `<billing-provider>`. */
  @property() token: string | undefined;

  /** Returns a fresh token; asked when there is none and once more after a 401. */
  @property({ attribute: false }) tokenProvider: TokenProvider | undefined;

  /** Forces the light or dark scheme; without it the reader's preference decides. */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;

  /**
   * Where a payment this element starts happens: `redirect` (Stripe's page) or `embedded` (Stripe's
   * on-page Checkout in a dialog; the host's CSP must allow Stripe, see README). Unset: the
   * provider's `checkout-mode`, else `redirect`. Used by the top-up, subscription and setup elements.
   */
  @property({ attribute: 'checkout-mode' }) checkoutMode: CheckoutUi | undefined;

  /** True while a call this element started is running; its buttons are disabled meanwhile. */
  @state() pending = false;

  /** The shared state this element shows; set on the first update. */
  store: BillingStore | undefined;

  /** The resolved locale (the nearest `lang`), used for text, money and dates. */
  protected locale = 'en';
  /** Messages in `locale`; undefined while they load. */
  protected messages: Messages | undefined;
  /** The payment action that failed last, until it runs again: why, and the call that retries it. */
  @state() protected failedAction: [BillingApiError, () => unknown] | undefined;
  /** The toast shown, if any: its text and tone. */
  @state() private notice: string[] | undefined;
  private provided: BillingStore | undefined;
  /** The element's custom states (`:state(…)`), for subclasses that add one. */
  protected readonly internals = this.attachInternals();
  private noticeTimer = 0;
  private unfollowLang: (() => void) | undefined;

  constructor() {
    super();
    new ContextConsumer(this, {
      context: billingContext,
      subscribe: true,
      callback: (store) => {
        this.provided = store;
        this.requestUpdate();
      },
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.locale = '';
    this.langChanged();
    this.unfollowLang = followLang(this);
    this.store?.connect(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unfollowLang?.();
    this.store?.disconnect(this);
  }

  /** Takes the nearest `lang` again (on connect, and when any `lang` in the page changes). */
  langChanged(): void {
    const locale = localeOf(this);
    if (locale === this.locale) return;
    this.locale = locale;
    void Promise.resolve(messagesFor(locale)).then((messages) => {
      // A later change may have won the race for a slower translation.
      if (this.locale !== locale) return;
      this.messages = messages;
      this.requestUpdate();
    });
  }

  /** Shows a toast in this element's language for a few seconds. */
  toast(text: (messages: Messages) => string, tone: 'info' | 'error'): void {
    void Promise.resolve(messagesFor(this.locale)).then((m) => {
      this.notice = [text(m), tone];
      clearTimeout(this.noticeTimer);
      this.noticeTimer = window.setTimeout(() => (this.notice = undefined), 6000);
    });
  }

  protected override willUpdate(): void {
    // Chosen at update time, not on connect, so a `tokenProvider` set right after creation is used.
    const store = this.provided ?? sharedStore(this.apiBase, this.token, this.tokenProvider);
    if (store !== this.store) {
      this.store?.disconnect(this);
      this.store = store;
      store.connect(this);
    }
  }

  /** Runs `call` with `pending` set, so the element's buttons stay disabled until it settles. */
  protected async busy<T>(call: (store: BillingStore) => Promise<T>): Promise<T> {
    this.pending = true;
    try {
      return await call(this.store!);
    } finally {
      this.pending = false;
    }
  }

  /**
   * Runs a payment action with `pending` set. A failure is reported (`billing-error`, then unless a
   * listener prevented it a console line and a toast) and, unless the server refused a field the
   * user must change, shown under the content with a Retry that runs the same call again.
   * Resolves with the failure, if any.
   */
  protected async perform(
    action: BillingAction,
    call: (store: BillingStore) => Promise<unknown>,
  ): Promise<BillingApiError | undefined> {
    this.failedAction = undefined;
    try {
      await this.busy(call);
    } catch (failure) {
      const error = this.store!.report(this, failure, action);
      if (!error.field) this.failedAction = [error, () => this.perform(action, call)];
      return error;
    }
  }

  /**
   * Starts a payment as `perform` runs an action: by redirect (`store.redirect`), or with
   * `checkoutMode` `embedded` on the page (`payOnPage`, in a chunk of its own fetched on the first
   * on-page payment, Stripe.js's loader inside), the session being created meanwhile.
   */
  protected pay(
    action: BillingAction,
    kind: CheckoutKind,
    create: CheckoutCreator,
    amountCents?: number,
  ): Promise<BillingApiError | undefined> {
    return this.perform(action, async (store) => {
      if ((this.checkoutMode ?? store.checkoutMode) !== 'embedded') {
        return store.redirect(this, kind, create, amountCents);
      }
      // The button is disabled (and so loses focus) while the payment runs: focus goes back to it after.
      const back = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      const started = create(store.client, location.href, 'embedded');
      started.catch(() => undefined);
      const { payOnPage } = await import('../on-page/on-page-checkout.js');
      const m = this.messages ?? en;
      await payOnPage(store, this, kind, started, { title: this.heading(m), closeLabel: m.close, back });
    });
  }

  /** A button that runs `call` while `pending`; `secondary` draws it outlined. */
  protected button(part: string, label: string, call: () => unknown, secondary?: boolean): TemplateResult {
    return html`<button part=${part} class=${secondary ? 'secondary' : ''} ?disabled=${this.pending} @click=${call}>
      ${label}
    </button>`;
  }

  /** What this element shows now; the history overrides it because it loads its own list. */
  protected viewState(): ViewState {
    const summary = this.store!.summary;
    return this.failure
      ? 'error'
      : !summary || !this.messages
        ? 'loading'
        : this.isEmpty(summary)
          ? 'empty'
          : 'loaded';
  }

  /** True when there is nothing to show but a short note (by default: billing is off). */
  protected isEmpty(summary: BillingSummary): boolean {
    return !summary.billing_enabled;
  }

  /** The failure this element shows; the history adds its own. */
  protected get failure(): BillingApiError | undefined {
    return this.store!.error;
  }

  /** Reloads what failed. */
  protected retry(): void {
    void this.store!.refresh(this);
  }

  /** The heading shown in every state. */
  protected abstract heading(m: Messages): string;

  /** The loaded or empty content (the base renders "billing is off" itself). */
  protected abstract renderContent(summary: BillingSummary, m: Messages): unknown;

  /** Cents in the account's currency and this element's locale; `signed` marks credits with "+". */
  protected money(cents: number, signed?: boolean): string {
    return formatMoney(cents, this.store!.summary!.currency, this.locale, signed);
  }

  /** Exposes the view state as a custom state, also while the element renders no card (a closed modal). */
  protected override updated(): void {
    this.internals.states.clear();
    this.internals.states.add(this.viewState());
  }

  protected override render(): unknown {
    return [this.renderCard(), this.renderToast()];
  }

  /** The card in its current state. */
  protected renderCard(): TemplateResult {
    const state = this.viewState();
    const m = this.messages ?? en;
    const summary = this.store!.summary!;
    const error = this.failure;
    return html`<section part="base" aria-busy=${state === 'loading'} aria-labelledby="h">
      <h2 id="h" part="heading">${this.heading(m)}</h2>
      ${
        state === 'loading'
          ? html`<p part="loading" class="muted" role="status">${m.loading}</p>`
          : error
            ? html`<p part="error" class="error" role="alert">${error.status ? error.message : m.offline}</p>
                ${this.button('retry', m.retry, this.retry)}`
            : summary.billing_enabled
              ? [this.renderContent(summary, m), this.renderFailedAction(m)]
              : html`<p part="empty" class="muted">${m.disabled}</p>`
      }
    </section>`;
  }

  /** The failed payment action's message and its Retry, which the message describes to screen readers. */
  protected renderFailedAction(m: Messages): unknown {
    const [error, retry] = this.failedAction ?? [];
    return (
      error &&
      html`<p id="failed" part="error" class="error">${error.status ? error.message : m.offline}</p>
        <button part="retry" aria-describedby="failed" ?disabled=${this.pending} @click=${retry}>${m.retry}</button>`
    );
  }

  /** The toast, floating at the bottom of the viewport. */
  protected renderToast(): unknown {
    const [text, tone] = this.notice ?? [];
    return (
      text &&
      html`<div part="toast" class="row ${tone}" role=${tone === 'error' ? 'alert' : 'status'}>
        ${text}${this.button('close', '×', () => (this.notice = undefined), true)}
      </div>`
    );
  }
}
