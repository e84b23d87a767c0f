import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import { clickIn, commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('setup-payment-modal');

/** `<setup-payment-modal>`: the welcome offer and "Add card", in a native `<dialog>`; shown open. */
export default {
  title: 'Elements/setup-payment-modal',
  component: 'setup-payment-modal',
  args: { open: true, theme: undefined },
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<setup-payment-modal
        api-base=${stand.apiBase}
        token="story"
        ?open=${args.open}
        theme=${ifDefined(args.theme)}
        @billing-checkout=${(event: Event) => event.preventDefault()}
      ></setup-payment-modal>`,
    );
  },
  parameters: common.loaded.parameters,
} satisfies Meta;

type Story = StoryObj;

export const Open: Story = { name: 'Open, with the welcome offer', ...common.loaded };
export const NoOffer: Story = {
  name: 'Open, welcome credit already granted',
  parameters: {
    api: { summary: { welcome_granted: true, has_payment_method: true } },
    check: { element: 'setup-payment-modal', state: 'loaded' },
  },
};
export const CardOnFile: Story = {
  name: 'Open, a card on file with Replace',
  parameters: {
    api: {
      summary: {
        welcome_granted: true,
        has_payment_method: true,
        payment_method: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 },
      },
    },
    check: { element: 'setup-payment-modal', state: 'loaded', part: 'card-on-file' },
  },
};
export const CardOnFileChinese: Story = {
  name: 'Open, a card on file, in Chinese',
  parameters: {
    ...CardOnFile.parameters,
    frame: { lang: 'zh-CN' },
  },
};
export const Loading: Story = common.loading;
export const ErrorState: Story = { name: 'Error', ...common.error };
export const SetupFailed: Story = {
  name: 'Add card failed, with Retry',
  parameters: {
    api: { failOnce: 'create-customer-setup-session' },
    check: { element: 'setup-payment-modal', state: 'loaded', part: 'retry' },
  },
  play: clickIn('setup-payment-modal', 'proceed'),
};
export const Chinese: Story = common.chinese;
export const Dark: Story = common.dark;
export const CustomTheme: Story = common.customTheme;
