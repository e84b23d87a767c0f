import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-portal-button');

/** `<billing-portal-button>`: opens the Stripe Customer Portal. */
export default {
  title: 'Elements/billing-portal-button',
  component: 'billing-portal-button',
  args: { theme: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-portal-button
        api-base=${stand.apiBase}
        token="story"
        theme=${ifDefined(args.theme)}
        @billing-checkout=${(event: Event) => event.preventDefault()}
      ></billing-portal-button>`,
    );
  },
  parameters: common.loaded.parameters,
} satisfies Meta;

type Story = StoryObj;

export const Loaded: Story = common.loaded;
export const Loading: Story = common.loading;
export const BillingOff: Story = {
  name: 'Billing off',
  parameters: {
    api: { summary: { billing_enabled: false, credits: null } },
    check: { element: 'billing-portal-button', state: 'empty' },
  },
};
export const ErrorState: Story = { name: 'Error', ...common.error };
export const Chinese: Story = common.chinese;
export const Dark: Story = common.dark;
export const CustomTheme: Story = common.customTheme;
