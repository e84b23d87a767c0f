import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { UsageSummary } from '../../client/types.js';
import { stack } from '../../testing/billing-stack.js';
import { inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';

const DAY_MS = 86_400_000;
/** Noon (UTC) `days` days ago, so each use lands on a known UTC day whatever the time of the run. */
const noonDaysAgo = (days: number) => {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return new Date(Math.min(Date.now() - 1000, today + 12 * 3_600_000 - days * DAY_MS)).toISOString();
};

describe('<billing-usage> against the real server', () => {
  it('draws the days and features the server reports, the same numbers in its table, and its forecast', async () => {
    const url = await stack.url();
    const user = `usage-${Date.now()}`;
    await stack.grant(user, 10_000, 'Funds');
    for (const [cents, feature, days] of [
      [250, 'chat', 5],
      [100, 'images', 5],
      [400, 'chat', 3],
      [50, 'images', 1],
      [125, 'chat', 0],
    ] as const) {
      await stack.usage(user, cents, feature, noonDaysAgo(days));
    }
    const token = await stack.token(user);
    const provider = await fixture(
      html`<billing-provider api-base=${url} token=${token}><billing-balance threshold="5"></billing-balance><billing-usage days="7"></billing-usage></billing-provider>`,
    );
    const el = provider.querySelector('billing-usage')!;
    await until(() => inState(el, 'loaded'), 'the chart');
    const server = (await fetch(`${url}/api/billing/usage-summary?days=7`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as UsageSummary;
    expect(server.total_cents).to.equal(925);

    // One bar group per day, each rect's height proportional to the server's amount.
    const groups = [...el.shadowRoot!.querySelectorAll('svg g')];
    expect(groups.map((g) => g.getAttribute('data-date'))).to.deep.equal(server.daily.map((d) => d.date));
    const peak = Math.max(...server.daily.map((d) => d.total_cents));
    const height = Number(el.shadowRoot!.querySelector('svg')!.viewBox.baseVal.height);
    groups.forEach((g, i) => {
      const day = server.daily[i]!;
      const rects = [...g.querySelectorAll('rect')];
      expect(rects.map((r) => Number(r.getAttribute('data-cents')))).to.have.members(
        day.features.map((f) => f.amount_cents),
      );
      for (const rect of rects) {
        const cents = Number(rect.getAttribute('data-cents'));
        expect(Number(rect.getAttribute('height'))).to.be.closeTo((cents / peak) * height, 1e-6);
      }
    });
    // The visually hidden table lists the same numbers, a row per day: chat, images, total.
    const rows = [...el.shadowRoot!.querySelectorAll('table tr')].slice(1);
    const money = (c: number) => `$${(c / 100).toFixed(2)}`;
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).to.deep.equal(
      server.daily.map((d) => [
        money(d.features.find((f) => f.feature === 'chat')?.amount_cents ?? 0),
        money(d.features.find((f) => f.feature === 'images')?.amount_cents ?? 0),
        money(d.total_cents),
      ]),
    );
    expect(part(el, 'total').textContent).to.contain('$9.25');
    // The forecast date is the server's, in the page's locale.
    const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(server.runs_out_on!),
    );
    expect(part(el, 'forecast').textContent).to.equal(`At this pace your balance lasts until ${date}.`);
    const balance = provider.querySelector('billing-balance')!;
    expect(part(balance, 'forecast').textContent).to.contain(date);
    expect(inState(balance, 'low')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('is empty for an account that spent nothing', async () => {
    const url = await stack.url();
    const el = await fixture(
      html`<billing-usage api-base=${url} token=${await stack.token(`idle-${Date.now()}`)}></billing-usage>`,
    );
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(part(el, 'empty').textContent).to.equal('No usage in the last 30 days.');
    await expect(el).to.be.accessible();
  });
});
