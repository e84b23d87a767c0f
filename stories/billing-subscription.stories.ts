import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { commonStories, framed, type StoryParameters, storyApi, subscriptionIn } from './story-kit.js';

const common = commonStories('billing-subscription');
const check = { element: 'billing-subscription', state: 'loaded' as const };

/** `<billing-subscription>`: subscribe, renews on, cancel with confirmation, ends on, resume, past due. */
export default {
  title: 'Elements/billing-subscription',
  component: 'billing-subscription',
  args: { theme: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-subscription
        api-base=${stand.apiBase}
        token="story"
        theme=${ifDefined(args.theme)}
        @billing-checkout=${(event: Event) => event.preventDefault()}
      ></billing-subscription>`,
    );
  },
  parameters: common.loaded.parameters,
} satisfies Meta;

type Story = StoryObj;

export const None: Story = { name: 'None (plans offered)', ...common.loaded };
export const Active: Story = { parameters: { api: { summary: subscriptionIn('active') }, check } };
export const Cancelling: Story = { parameters: { api: { summary: subscriptionIn('cancelling') }, check } };
export const PastDue: Story = {
  name: 'Past due',
  parameters: { api: { summary: subscriptionIn('past_due') }, check },
};
export const Ended: Story = { parameters: { api: { summary: subscriptionIn('ended') }, check } };
export const NoPlans: Story = {
  name: 'No plan offered',
  parameters: { api: { summary: { plans: [] } }, check: { ...check, state: 'empty' } },
};
export const Loading: Story = common.loading;
export const ErrorState: Story = { name: 'Error', ...common.error };
export const Chinese: Story = {
  name: 'zh-CN (active)',
  parameters: { api: { summary: subscriptionIn('active') }, frame: { lang: 'zh-CN' }, check },
};
export const Dark: Story = {
  name: 'Dark (cancelling)',
  args: { theme: 'dark' },
  parameters: { api: { summary: subscriptionIn('cancelling') }, frame: { scheme: 'dark' }, check },
};
export const CustomTheme: Story = common.customTheme;
