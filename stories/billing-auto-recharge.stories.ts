import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import type { AutoRecharge, BillingSummary } from '../widget/client/types.js';
import { autoRechargeFixture, autoRechargeOn, errorResponse } from '../widget/testing/fake-billing-api.js';
import { clickIn, commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-auto-recharge');

/** Auto-recharge turned on at $10 / $25 / $100, with $25 charged this month. */
const ON: AutoRecharge = autoRechargeOn();

/** The summary of an account with a saved card and auto-recharge in `autoRecharge`. */
function withCard(autoRecharge: AutoRecharge): { summary: Partial<BillingSummary> } {
  return { summary: { has_payment_method: true, auto_recharge: autoRecharge } };
}

const loaded = { element: 'billing-auto-recharge', state: 'loaded' as const };

/**
 * `<billing-auto-recharge>`: the user's consent to charge the saved card when usage takes the
 * balance below a threshold, within a monthly cap; its state, errors, and the bank's confirmation.
 */
export default {
  title: 'Elements/billing-auto-recharge',
  component: 'billing-auto-recharge',
  args: { theme: undefined, failSave: false },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    const current = { ...autoRechargeFixture(), ...api?.summary?.auto_recharge };
    stand.on('put', 'auto-recharge', (request) =>
      args.failSave
        ? errorResponse(503, 'store_unavailable', 'The billing store is unavailable. Try again shortly.')
        : { ...current, ...(request.body as object), status: 'ready' },
    );
    stand.on('post', 'auto-recharge/complete', () => ({
      redirect_url: 'https://hooks.stripe.test/3d_secure/pi_story',
    }));
    return framed(
      frame,
      html`<billing-auto-recharge
        api-base=${stand.apiBase}
        token="story"
        theme=${ifDefined(args.theme)}
        @billing-checkout=${(event: Event) => event.preventDefault()}
      ></billing-auto-recharge>`,
    );
  },
  parameters: { api: withCard(ON), check: loaded },
} satisfies Meta;

type Story = StoryObj;

export const On: Story = { name: 'On', parameters: { api: withCard(ON), check: loaded } };
export const Off: Story = {
  name: 'Off (card saved, never turned on)',
  parameters: { api: withCard(autoRechargeFixture()), check: loaded },
};
export const NoCard: Story = {
  name: 'No card saved',
  parameters: {
    api: { summary: { has_payment_method: false, auto_recharge: autoRechargeFixture() } },
    check: { ...loaded, part: 'empty' },
  },
};
export const Charging: Story = {
  parameters: { api: withCard({ ...ON, status: 'charging' }), check: loaded },
};
export const Failed: Story = {
  name: 'Failed (card declined, turned off)',
  parameters: {
    api: withCard({
      ...ON,
      enabled: false,
      status: 'failed',
      charged_this_month: '0.00',
      charged_this_month_cents: 0,
      last_error: { code: 'card_declined', message: 'Your card was declined.' },
    }),
    check: loaded,
  },
};
export const ActionRequired: Story = {
  name: 'Action required (the bank asks to confirm)',
  parameters: {
    api: withCard({
      ...ON,
      status: 'action_required',
      last_error: {
        code: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
      },
    }),
    check: { ...loaded, part: 'complete' },
  },
};
export const CapReached: Story = {
  name: 'Monthly cap reached',
  parameters: {
    api: withCard({
      ...ON,
      charged_this_month: '100.00',
      charged_this_month_cents: 10000,
      last_error: { code: 'monthly_cap_reached', message: 'A recharge of 25.00 would pass the cap.' },
    }),
    check: loaded,
  },
};
export const InvalidAmount: Story = {
  name: 'Refused amount (cap below the amount)',
  parameters: {
    api: withCard({ ...ON, monthly_cap: '20.00', monthly_cap_cents: 2000 }),
    check: { ...loaded, part: 'hint' },
  },
  play: clickIn('billing-auto-recharge', 'submit'),
};
export const SaveFailed: Story = {
  name: 'Save failed, with Retry',
  args: { failSave: true },
  parameters: { api: withCard(autoRechargeFixture()), check: { ...loaded, part: 'retry' } },
  play: clickIn('billing-auto-recharge', 'submit'),
};
export const Loading: Story = common.loading;
export const ErrorState: Story = { name: 'Error', ...common.error };
export const BillingOff: Story = {
  name: 'Billing off',
  parameters: {
    api: { summary: { billing_enabled: false, credits: null } },
    check: { element: 'billing-auto-recharge', state: 'empty' },
  },
};
export const Chinese: Story = common.chinese;
export const Dark: Story = common.dark;
export const CustomTheme: Story = common.customTheme;
