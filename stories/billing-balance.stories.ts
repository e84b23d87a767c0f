import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-balance');

/** `<billing-balance>`: the credit balance in the account's currency and the page's language. */
export default {
  title: 'Elements/billing-balance',
  component: 'billing-balance',
  args: { theme: undefined, threshold: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-balance api-base=${stand.apiBase} token="story" threshold=${ifDefined(args.threshold)} theme=${ifDefined(args.theme)}></billing-balance>`,
    );
  },
  parameters: common.loaded.parameters,
} satisfies Meta;

type Story = StoryObj;

export const Loaded: Story = common.loaded;
export const Loading: Story = common.loading;
export const Empty: Story = {
  parameters: {
    api: { summary: { credits: '0.00', credits_cents: 0 } },
    check: { element: 'billing-balance', state: 'empty' },
  },
};
export const BillingOff: Story = {
  name: 'Billing off',
  parameters: {
    api: { summary: { billing_enabled: false, credits: null, credits_cents: 0 } },
    check: { element: 'billing-balance', state: 'empty' },
  },
};
export const Low: Story = {
  name: 'Low, with the run-out date',
  args: { threshold: 20 },
  parameters: {
    api: {
      summary: {
        usage_forecast: { average_daily_7d: '1.25', average_daily_7d_cents: 125, runs_out_on: '2026-11-11' },
      },
    },
    check: { element: 'billing-balance', state: 'low', part: 'forecast' },
  },
};
export const ErrorState: Story = { name: 'Error', ...common.error };
export const PaymentNotConfirmed: Story = {
  name: 'Back from Stripe, payment not confirmed (?checkout=error)',
  parameters: {
    api: { returnedWith: 'checkout=error' },
    check: { element: 'billing-balance', state: 'loaded', part: 'toast' },
  },
};
export const PaymentNotConfirmedChinese: Story = {
  name: 'Back from Stripe, payment not confirmed, zh-CN',
  parameters: {
    api: { returnedWith: 'checkout=error' },
    frame: { lang: 'zh-CN' },
    check: { element: 'billing-balance', state: 'loaded', part: 'toast' },
  },
};
export const Chinese: Story = common.chinese;
export const Dark: Story = common.dark;
export const CustomTheme: Story = common.customTheme;
const owing = { summary: { credits: '-10.00', credits_cents: -1000 } };
export const Owes: Story = {
  name: 'Owes (negative balance after a refund)',
  parameters: { api: owing, check: { element: 'billing-balance', state: 'loaded', part: 'owes' } },
};
export const OwesChinese: Story = {
  name: 'Owes, zh-CN',
  parameters: {
    api: owing,
    frame: { lang: 'zh-CN' },
    check: { element: 'billing-balance', state: 'loaded', part: 'owes' },
  },
};
export const OwesDark: Story = {
  name: 'Owes, dark',
  args: { theme: 'dark' },
  parameters: {
    api: owing,
    frame: { scheme: 'dark' },
    check: { element: 'billing-balance', state: 'loaded', part: 'owes' },
  },
};
