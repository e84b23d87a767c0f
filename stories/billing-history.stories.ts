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
