/**
 * What every story shares: a stand-in billing API per story (the widgets' own test double, which
 * answers `fetch` inside the page), the element wrapped in the story's language and background,
 * and the state the story shows, which the story tests wait for before checking accessibility.
 */
import { html, type LitElement, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { BillingSummary, LedgerEntry } from '../widget/client/types.js';
import type { ViewState } from '../widget/index.js';
import {
  errorResponse,
  FakeBillingApi,
  ledgerEntry,
  summaryFixture,
  until,
} from '../widget/testing/fake-billing-api.js';

/** How a story's API answers. */
export interface StoryApiOptions {
  /** Fields of `/summary` to change from the default account ($12.50, no card, plan Pro). */
  summary?: Partial<BillingSummary>;
  /** The ledger `/transactions` and the summary's first page hold. */
  entries?: LedgerEntry[];
  /** `loading` never answers; `error` answers 503 as a store outage would. */
  answer?: 'loading' | 'error';
  /** A payment action's path (e.g. `create-checkout-session`) that fails once with a 503, then works. */
  failOnce?: string;
  /** The page comes back from Stripe with this query, e.g. `checkout=error`; the store reads it on creation. */
  returnedWith?: string;
}

/** A fresh API for one story: its own base URL, so each story gets its own shared store. */
export function storyApi(options: StoryApiOptions = {}): FakeBillingApi {
  const entries = options.entries ?? [];
  const summary = summaryFixture({
    transactions: { data: entries, next_cursor: null, limit: 20 },
    ...options.summary,
  });
  const api = new FakeBillingApi(summary);
  api.on('get', 'transactions', () => ({ data: entries, next_cursor: null }));
  if (options.answer === 'loading') api.on('get', 'summary', () => new Promise(() => {}));
  if (options.answer === 'error') {
    api.on('get', 'summary', () =>
      errorResponse(503, 'store_unavailable', 'The billing store is unavailable. Try again shortly.'),
    );
  }
  // Stories never leave the page: checkout redirects are prevented and shown in the console instead.
  for (const path of [
    'create-checkout-session',
    'create-customer-setup-session',
    'subscription-checkout-session',
    'portal-session',
  ]) {
    api.on('post', path, () => ({ redirect_url: 'https://checkout.stripe.test/c/pay/cs_story' }));
  }
  for (const path of ['cancel-subscription', 'resume-subscription']) {
    api.on('post', path, () => ({ status: 'success', message: 'Done.' }));
  }
  const failing = options.failOnce;
  if (failing) {
    api.on('post', failing, () => {
      api.on('post', failing, () => ({ redirect_url: 'https://checkout.stripe.test/c/pay/cs_story' }));
      return errorResponse(503, 'stripe_unavailable', 'Stripe did not answer. Try again in a moment.');
    });
  }
  if (options.returnedWith) {
    const url = new URL(location.href);
    const [name, value] = options.returnedWith.split('=');
    url.searchParams.set(name, value);
    history.replaceState(history.state, '', url);
  }
  return api;
}

/** A few ledger entries, newest first. */
export const SAMPLE_ENTRIES: LedgerEntry[] = [
  ledgerEntry('le_3', -250, 1250, 'Used in the editor'),
  ledgerEntry('le_2', 1000, 1500, 'Pro plan: included credit'),
  ledgerEntry('le_1', 500, 500, 'Credit top-up'),
];

/** The subscription part of the summary for each status, renewing or ending on 14 March 2027. */
export function subscriptionIn(status: BillingSummary['subscription']['status']): Partial<BillingSummary> {
  const end = '2027-03-14T12:00:00.000Z';
  return {
    has_payment_method: status !== 'none',
    subscription: {
      status,
      plan_id: status === 'none' ? null : 'pro',
      current_period_end: status === 'none' ? null : end,
      cancel_at: status === 'cancelling' ? end : null,
      stripe_subscription_id: status === 'none' ? null : 'sub_story',
    },
  };
}

/** Where a story is shown: language, colour scheme and, for the custom theme, host styles. */
export interface Frame {
  lang?: string;
  scheme?: 'light' | 'dark';
  /** `--billing-*` custom properties set on the wrapper. */
  tokens?: Record<string, string>;
}

/** A custom theme: host tokens plus `::part` rules, the two ways a host restyles the elements. */
export const CUSTOM_THEME: Frame = {
  tokens: {
    '--billing-color-accent': '#6a1b9a',
    '--billing-color-surface': '#fff8fd',
    '--billing-color-border': '#ce93d8',
    '--billing-radius': '16px',
    '--billing-spacing': '16px',
    '--billing-font': '15px/1.5 Georgia, serif',
  },
};

/** The `::part` rules of the custom theme, scoped to its wrapper. */
const CUSTOM_PARTS = html`<style>
  .custom-theme ::part(heading) { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.85em; }
  .custom-theme ::part(amount) { font-size: 1.6em; }
</style>`;

/** Wraps a story's element in its language and background. */
export function framed(frame: Frame, content: TemplateResult): TemplateResult {
  const dark = frame.scheme === 'dark';
  const style = {
    padding: '16px',
    maxWidth: '32rem',
    background: dark ? '#121216' : 'transparent',
    colorScheme: frame.scheme ?? 'light',
    ...frame.tokens,
  };
  return html`${frame.tokens ? CUSTOM_PARTS : ''}<div
      class=${frame.tokens ? 'custom-theme' : ''}
      lang=${frame.lang ?? 'en'}
      style=${styleMap(style)}
    >${content}</div>`;
}

/** What the story tests read from a story's parameters. */
export interface StoryCheck {
  /** The element under test, by tag name. */
  element: string;
  /** The custom state it must reach (`:state(...)`). */
  state: ViewState;
  /** A part that must appear in it too, e.g. `toast` or `retry`. */
  part?: string;
}

/** A story's parameters as the render functions and the story tests read them. */
export interface StoryParameters {
  api?: StoryApiOptions;
  frame?: Frame;
  check: StoryCheck;
}

/**
 * A story as this folder writes them: args for the controls, parameters for the API and frame, and
 * a `play` function for a state reached by clicking (run by Storybook and by the story tests).
 */
export interface BillingStory {
  args?: Record<string, unknown>;
  parameters?: Partial<StoryParameters>;
  name?: string;
  play?: (context: { canvasElement: HTMLElement }) => Promise<void>;
}

/** Clicks `parts` of `tag` inside the story, in order, once the element has loaded. */
export function clickIn(tag: string, ...parts: string[]): BillingStory['play'] {
  return async ({ canvasElement }) => {
    const el = canvasElement.querySelector(tag) as LitElement;
    await until(() => el.matches(':state(loaded)'), `<${tag}> loaded`);
    for (const name of parts) {
      el.shadowRoot!.querySelector<HTMLElement>(`[part~='${name}']`)!.click();
      await el.updateComplete;
    }
  };
}

/**
 * The stories every element has, in the state `shown` when loaded: loading (the summary never
 * answers), error (503, with Retry and the toast), Simplified Chinese, dark, and a custom theme.
 */
export function commonStories(element: string, shown: ViewState = 'loaded') {
  const check = (state: ViewState) => ({ check: { element, state } });
  return {
    loaded: { parameters: check(shown) },
    loading: { parameters: { api: { answer: 'loading' as const }, ...check('loading') } },
    error: { parameters: { api: { answer: 'error' as const }, ...check('error') } },
    chinese: { name: 'zh-CN', parameters: { frame: { lang: 'zh-CN' }, ...check(shown) } },
    dark: { args: { theme: 'dark' }, parameters: { frame: { scheme: 'dark' as const }, ...check(shown) } },
    customTheme: { name: 'Custom theme', parameters: { frame: CUSTOM_THEME, ...check(shown) } },
  } satisfies Record<string, BillingStory>;
}
