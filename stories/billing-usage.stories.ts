import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, type LitElement } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../widget/index.js';
import type { UsageSummary } from '../widget/client/types.js';
import { until, usageFixture } from '../widget/testing/fake-billing-api.js';
import { type BillingStory, commonStories, framed, type StoryParameters, storyApi } from './story-kit.js';

const common = commonStories('billing-usage');

/** A repeatable, uneven spend pattern: cents of `feature` on day `i`. */
const wobble = (i: number, seed: number, scale: number) =>
  Math.round(scale * (1 + Math.sin(i * 1.7 + seed) * 0.8) * (i % 6 === 5 ? 0.2 : 1));

const threeFeatures = (days: number) =>
  usageFixture(days, (i) => ({
    chat: wobble(i, 1, 180),
    images: wobble(i, 4, 90),
    embeddings: wobble(i, 2, 30),
  }));

/** The story's usage summary, inside the page's one `/summary` answer, for `days` days. */
const usage = (summary: UsageSummary, check: StoryParameters['check'] = common.loaded.parameters.check) => ({
  args: { days: summary.days },
  parameters: { api: { summary: { usage: summary } }, check },
});

/** `<billing-usage>`: spend per day, stacked by feature, with the period total and the run-out forecast. */
export default {
  title: 'Elements/billing-usage',
  component: 'billing-usage',
  render: (args, { parameters }) => {
    const { api, frame = {} } = parameters as StoryParameters;
    const stand = storyApi(api);
    return framed(
      frame,
      html`<billing-usage api-base=${stand.apiBase} token="story" days=${args.days} theme=${ifDefined(args.theme)}></billing-usage>`,
    );
  },
  args: { days: 30, theme: undefined },
  parameters: usage(threeFeatures(30)).parameters,
} satisfies Meta;

type Story = StoryObj;

export const Loaded: Story = { name: '30 days, three features', ...usage(threeFeatures(30)) };
export const OneDay: Story = { name: '1 day', ...usage(threeFeatures(1)) };
export const SevenDays: Story = { name: '7 days', ...usage(threeFeatures(7)) };
export const NinetyDays: Story = { name: '90 days', ...usage(threeFeatures(90)) };
export const OneFeature: Story = {
  name: 'One feature',
  ...usage(usageFixture(30, (i) => ({ chat: wobble(i, 3, 120) }))),
};
export const ManyFeatures: Story = {
  name: 'Many features (and usage without one)',
  ...usage(
    usageFixture(30, (i) => ({
      chat: wobble(i, 1, 120),
      images: wobble(i, 2, 80),
      embeddings: wobble(i, 3, 40),
      search: wobble(i, 4, 30),
      speech: wobble(i, 5, 25),
      video: i % 4 ? 0 : 150,
      'fine-tuning': i === 12 ? 400 : 0,
      null: wobble(i, 6, 10),
    })),
  ),
};
export const ZeroSpend: Story = {
  name: 'Zero-spend period',
  ...usage(
    usageFixture(30, () => ({})),
    { element: 'billing-usage', state: 'empty' },
  ),
};
export const Tooltip: Story = {
  name: 'Tooltip (keyboard focus)',
  ...usage(threeFeatures(30), { element: 'billing-usage', state: 'loaded', part: 'tooltip' }),
  play: (async ({ canvasElement }) => {
    const el = canvasElement.querySelector('billing-usage') as LitElement;
    await until(() => el.matches(':state(loaded)'), '<billing-usage> loaded');
    const chart = el.shadowRoot!.querySelector<HTMLElement>("[part~='chart']")!;
    chart.focus();
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }));
    await el.updateComplete;
  }) satisfies BillingStory['play'],
};
export const Loading: Story = common.loading;
export const ErrorState: Story = { name: 'Error', ...common.error };
export const Chinese: Story = {
  ...common.chinese,
  ...usage(threeFeatures(30), common.chinese.parameters.check),
};
Chinese.parameters = { ...Chinese.parameters, frame: { lang: 'zh-CN' } };
export const Dark: Story = {
  ...common.dark,
  parameters: { ...common.dark.parameters, api: { summary: { usage: threeFeatures(30) } } },
};
export const CustomTheme: Story = {
  ...common.customTheme,
  parameters: { ...common.customTheme.parameters, api: { summary: { usage: threeFeatures(30) } } },
};
