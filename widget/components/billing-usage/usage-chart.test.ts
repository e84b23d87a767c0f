import { expect } from '@open-wc/testing';
import { html, render } from 'lit';
import { usageFixture } from '../../testing/fake-billing-api.js';
import { CHART_HEIGHT, dayAt, layoutChart, renderBars } from './usage-chart.js';

describe('usage chart layout', () => {
  const spend: Record<string, number>[] = [
    { chat: 300, images: 100 },
    {},
    { images: 150 },
    { chat: 50, null: 25 },
  ];
  const usage = usageFixture(4, (i) => spend[i]!);
  const features = usage.features.map((f) => f.feature);

  it('puts one bar group per day, left to right, in the period order of features', () => {
    expect(features).to.deep.equal(['chat', 'images', null]);
    const layout = layoutChart(usage.daily, features);
    expect(layout.groups.map((g) => g.date)).to.deep.equal([
      '2026-10-29',
      '2026-10-30',
      '2026-10-31',
      '2026-11-01',
    ]);
    expect(layout.width).to.equal(40);
    expect(layout.groups.map((g) => g.x)).to.deep.equal([1.5, 11.5, 21.5, 31.5]);
    expect(layout.maxCents).to.equal(400);
  });

  it('makes heights proportional to cents against the largest day, stacked from the bottom', () => {
    const [first, empty, third, last] = layoutChart(usage.daily, features).groups;
    expect(first!.segments.map((s) => [s.feature, s.height, s.y])).to.deep.equal([
      ['chat', 75, 25],
      ['images', 25, 0],
    ]);
    expect(empty!.segments).to.deep.equal([]);
    // images keeps its colour (second in the period) on a day where it is alone.
    expect(third!.segments.map((s) => [s.colour, s.height, s.y])).to.deep.equal([[1, 37.5, 62.5]]);
    expect(last!.segments.map((s) => [s.feature, s.colour, s.height])).to.deep.equal([
      ['chat', 0, 12.5],
      [null, 2, 6.25],
    ]);
    for (const group of [first!, last!]) {
      const total = group.segments.reduce((sum, s) => sum + s.height, 0);
      expect(total).to.be.closeTo((group.totalCents / 400) * CHART_HEIGHT, 1e-9);
    }
  });

  it('draws no height at all when nothing was spent', () => {
    const layout = layoutChart(usageFixture(3, () => ({})).daily, []);
    expect(layout.maxCents).to.equal(0);
    expect(layout.groups.every((g) => g.segments.length === 0)).to.equal(true);
  });

  it('finds the day under the pointer, clamped to the chart', () => {
    const layout = layoutChart(usage.daily, features);
    expect([-0.2, 0, 0.24, 0.25, 0.99, 1, 1.3].map((f) => dayAt(layout, f))).to.deep.equal([
      0, 0, 0, 1, 3, 3, 3,
    ]);
  });

  it('renders a <g> per day and a filled <rect> per feature, marking the selected day', () => {
    const host = document.createElement('div');
    const layout = layoutChart(usage.daily, features);
    render(html`<svg>${renderBars(layout, (i) => `var(--c${i})`, 2)}</svg>`, host);
    const groups = host.querySelectorAll('g');
    expect(groups.length).to.equal(4);
    expect([...groups].map((g) => g.className.baseVal)).to.deep.equal(['', '', 'on', '']);
    const rects = [...host.querySelectorAll('rect')];
    expect(
      rects.map((r) => [r.getAttribute('data-cents'), r.getAttribute('height'), r.style.fill]),
    ).to.deep.equal([
      ['300', '75', 'var(--c0)'],
      ['100', '25', 'var(--c1)'],
      ['150', '37.5', 'var(--c1)'],
      ['50', '12.5', 'var(--c0)'],
      ['25', '6.25', 'var(--c2)'],
    ]);
  });
});
