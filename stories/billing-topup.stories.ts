import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { clickIn, commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-topup');

/** `<billing-topup>`: preset and custom amounts within the server's bounds, then Stripe Checkout. */
export default {
  title: 'Elements/billing-topup',
  component: 'billing-topup',
  args: { presets: '10,25,50,100', theme: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-topup
        api-base=${stand.apiBase}
        token="story"
        presets=${args.presets}
        theme=${ifDefined(args.theme)}
        @billing-checkout=${(event: Event) => event.preventDefault()}
      ></billing-topup>`,
    );
  },
  parameters: common.loaded.parameters,
} satisfies Meta;

type Story = StoryObj;

export const Loaded: Story = common.loaded;
export const Loading: Story = common.loading;
export const NarrowBounds: Story = {
  name: 'Narrow bounds ($20 – $50)',
  parameters: {
    api: { summary: { topup: { min: '20.00', max: '50.00', min_cents: 2000, max_cents: 5000 } } },
    check: { element: 'billing-topup', state: 'loaded' },
  },
};
export const BillingOff: Story = {
  name: 'Billing off',
  parameters: {
    api: { summary: { billing_enabled: false, credits: null } },
    check: { element: 'billing-topup', state: 'empty' },
  },
};
export const ErrorState: Story = { name: 'Error', ...common.error };
export const TopupFailed: Story = {
  name: 'Top-up failed, with Retry',
  parameters: {
    api: { failOnce: 'create-checkout-session' },
    check: { element: 'billing-topup', state: 'loaded', part: 'retry' },
  },
  play: clickIn('billing-topup', 'preset', 'submit'),
};
export const Chinese: Story = common.chinese;
export const Dark: Story = common.dark;
export const CustomTheme: Story = common.customTheme;
export const Owes: Story = {
  name: 'Owes (negative balance)',
  parameters: {
    api: { summary: { credits: '-10.00', credits_cents: -1000 } },
    check: { element: 'billing-topup', state: 'loaded', part: 'owes' },
  },
};
