import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { commonStories, framed, SAMPLE_ENTRIES, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-history');
const withEntries = { entries: SAMPLE_ENTRIES };

/** `<billing-history>`: the ledger, newest first, a page at a time. */
export default {
  title: 'Elements/billing-history',
  component: 'billing-history',
  args: { 'page-size': 20, theme: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-history
        api-base=${stand.apiBase}
        token="story"
        page-size=${args['page-size']}
        theme=${ifDefined(args.theme)}
      ></billing-history>`,
    );
  },
  parameters: { ...common.loaded.parameters, api: withEntries },
} satisfies Meta;

type Story = StoryObj;

export const Loaded: Story = { parameters: { ...common.loaded.parameters, api: withEntries } };
export const Empty: Story = {
  parameters: { api: { entries: [] }, check: { element: 'billing-history', state: 'empty' } },
};
export const Loading: Story = common.loading;
export const ErrorState: Story = { name: 'Error', ...common.error };
export const Chinese: Story = {
  ...common.chinese,
  parameters: { ...common.chinese.parameters, api: withEntries },
};
export const Dark: Story = { ...common.dark, parameters: { ...common.dark.parameters, api: withEntries } };
export const CustomTheme: Story = {
  ...common.customTheme,
  parameters: { ...common.customTheme.parameters, api: withEntries },
};
/** A top-up refunded in two parts, and a disputed payment won back. */
const moneyBack = {
  entries: [
    {
      ...SAMPLE_ENTRIES[0]!,
      id: 'le_r4',
      kind: 'dispute_reinstated' as const,
      amount: '50.00',
      amount_cents: 5000,
      description: 'Dispute won',
      balance_after: '40.00',
      balance_after_cents: 4000,
      stripe_object_id: 'du_1',
    },
    {
      ...SAMPLE_ENTRIES[0]!,
      id: 'le_r3',
      kind: 'dispute' as const,
      amount: '-50.00',
      amount_cents: -5000,
      description: 'Payment disputed',
      balance_after: '-10.00',
      balance_after_cents: -1000,
      stripe_object_id: 'du_1',
    },
    {
      ...SAMPLE_ENTRIES[0]!,
      id: 'le_r2',
      kind: 'refund' as const,
      amount: '-30.00',
      amount_cents: -3000,
      description: 'Payment refunded',
      balance_after: '-10.00',
      balance_after_cents: -1000,
      stripe_object_id: 're_2',
    },
    {
      ...SAMPLE_ENTRIES[0]!,
      id: 'le_r1',
      kind: 'refund' as const,
      amount: '-20.00',
      amount_cents: -2000,
      description: 'Payment refunded',
      balance_after: '20.00',
      balance_after_cents: 2000,
      stripe_object_id: 're_1',
    },
  ],
};
export const RefundsAndDisputes: Story = {
  name: 'Refunds and disputes',
  parameters: { ...common.loaded.parameters, api: moneyBack },
};
export const RefundsAndDisputesChinese: Story = {
  name: 'Refunds and disputes, zh-CN',
  parameters: { ...common.chinese.parameters, api: moneyBack },
};
