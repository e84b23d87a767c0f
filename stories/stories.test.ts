/**
 * Every story as a browser test (Web Test Runner, Chromium): each is rendered as Storybook renders
 * it (the meta's args and parameters under the story's), its `play` function runs, it must reach
 * the state (and show the part) it claims to show, and axe must find nothing in it.
 */
import { expect } from '@open-wc/testing';
import { render, type TemplateResult } from 'lit';
import { until } from '../widget/testing/fake-billing-api.js';
import * as autoRecharge from './billing-auto-recharge.stories.js';
import * as balance from './billing-balance.stories.js';
import * as history from './billing-history.stories.js';
import * as portalButton from './billing-portal-button.stories.js';
import * as provider from './billing-provider.stories.js';
import * as subscription from './billing-subscription.stories.js';
import * as topup from './billing-topup.stories.js';
import * as usage from './billing-usage.stories.js';
import * as setupModal from './setup-payment-modal.stories.js';
import type { BillingStory, StoryParameters } from './story-kit.js';

/** A stories module as this folder writes them. */
interface StoriesModule {
  default: {
    title: string;
    args?: Record<string, unknown>;
    parameters?: Partial<StoryParameters>;
    render: unknown;
  };
  [story: string]: unknown;
}

type Render = (args: Record<string, unknown>, context: { parameters: StoryParameters }) => TemplateResult;

const modules = [
  balance,
  topup,
  subscription,
  setupModal,
  history,
  portalButton,
  autoRecharge,
  usage,
  provider,
] as StoriesModule[];

for (const module of modules) {
  const meta = module.default;
  describe(meta.title, () => {
    const stories = Object.entries(module).filter(([name]) => name !== 'default') as [string, BillingStory][];

    it('has a story for each state an element shows', () => {
      const states = new Set(
        stories.map(([, story]) => ({ ...meta.parameters, ...story.parameters }).check?.state),
      );
      if (meta.title !== 'Elements/billing-provider') {
        for (const state of ['loading', 'loaded', 'error']) expect([...states]).to.include(state);
      }
    });

    for (const [name, story] of stories) {
      it(`${name}: shows its state and passes axe`, async () => {
        const parameters = { ...meta.parameters, ...story.parameters } as StoryParameters;
        const args = { ...meta.args, ...story.args };
        const container = document.createElement('div');
        document.body.append(container);
        try {
          render((meta.render as Render)(args, { parameters }), container);
          const { element, state, part } = parameters.check;
          const el = container.querySelector(element);
          if (!el) throw new Error(`${name} renders no <${element}>`);
          await story.play?.({ canvasElement: container });
          await until(() => el.matches(`:state(${state})`), `<${element}> in state ${state}`);
          if (part) {
            await until(
              () => el.shadowRoot!.querySelector(`[part~='${part}']`),
              `<${element}> showing ${part}`,
            );
          }
          await expect(container).to.be.accessible();
        } finally {
          render('', container);
          container.remove();
        }
      });
    }
  });
}
