import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../widget/index.js';
import { framed, SAMPLE_ENTRIES, type StoryParameters, storyApi, subscriptionIn } from './story-kit.js';

/**
 * `<billing-provider>`: one client, one token and one `/summary` request shared by every element
 * inside it. Shown as a whole page of widgets.
 */
export default {
  title: 'Elements/billing-provider',
  component: 'billing-provider',
  render: (_args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-provider
        api-base=${stand.apiBase}
        token="story"
        @billing-checkout=${(event: Event) => event.preventDefault()}
      >
        <div style="display: grid; gap: 12px">
          <billing-balance></billing-balance>
          <billing-topup></billing-topup>
          <billing-subscription></billing-subscription>
          <billing-portal-button></billing-portal-button>
          <billing-history></billing-history>
        </div>
      </billing-provider>`,
    );
  },
  parameters: {
    api: { summary: subscriptionIn('active'), entries: SAMPLE_ENTRIES },
    check: { element: 'billing-history', state: 'loaded' },
  },
} satisfies Meta;

type Story = StoryObj;

export const PageOfWidgets: Story = { name: 'A page of widgets' };
export const PageInChinese: Story = {
  name: 'A page of widgets, zh-CN',
  parameters: { frame: { lang: 'zh-CN' } },
};
