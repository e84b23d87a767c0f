import { svg, type TemplateResult } from 'lit';
import type { UsageDay } from '../../client/types.js';

/**
 * The usage chart, drawn by hand: stacked bars are a few rectangles, which no chart library draws
 * in the 2 KB the script-tag bundle allows an element (vite.config.ts). The layout is plain
 * arithmetic (tested in usage-chart.test.ts); the element adds text, tooltips and the table.
 */

/** The chart's height in viewBox units; the width is `SLOT` per day. */
export const CHART_HEIGHT = 100;
const SLOT = 10;
const BAR = 7;

/** One feature's part of a day's bar. */
export interface BarSegment {
  feature: string | null;
  cents: number;
  y: number;
  height: number;
  /** The feature's place in the period's list (biggest first), which picks its colour. */
  colour: number;
}

/** One day's stacked bar. */
export interface BarGroup {
  date: string;
  x: number;
  totalCents: number;
  segments: BarSegment[];
}

export interface ChartLayout {
  width: number;
  /** The largest day's total: the full height. */
  maxCents: number;
  groups: BarGroup[];
}

/**
 * Places one bar per day, its segments stacked from the bottom in `features` order, every height
 * proportional to its cents against the largest day.
 */
export function layoutChart(daily: UsageDay[], features: (string | null)[]): ChartLayout {
  const maxCents = Math.max(0, ...daily.map((d) => d.total_cents));
  const groups = daily.map((day, i) => {
    let top = CHART_HEIGHT;
    const segments = [...day.features]
      .sort((a, b) => features.indexOf(a.feature) - features.indexOf(b.feature))
      .map((f) => {
        const height = maxCents ? (f.amount_cents / maxCents) * CHART_HEIGHT : 0;
        top -= height;
        return {
          feature: f.feature,
          cents: f.amount_cents,
          y: top,
          height,
          colour: features.indexOf(f.feature),
        };
      });
    return { date: day.date, x: i * SLOT + (SLOT - BAR) / 2, totalCents: day.total_cents, segments };
  });
  return { width: daily.length * SLOT, maxCents, groups };
}

/** The day under a pointer at `fraction` (0 to 1) of the chart's width. */
export function dayAt(layout: ChartLayout, fraction: number): number {
  return Math.min(layout.groups.length - 1, Math.max(0, Math.floor(fraction * layout.groups.length)));
}

/**
 * The bars as SVG shapes, to go inside the element's `<svg role="img">`: a `<g>` per day, a
 * `<rect>` per feature filled with `colour(index)`, the selected day (if any) outlined.
 */
export function renderBars(
  layout: ChartLayout,
  colour: (index: number) => string,
  selected: number | undefined,
): TemplateResult {
  return svg`${layout.groups.map(
    (group, i) =>
      svg`<g data-date=${group.date} class=${i === selected ? 'on' : ''}>${group.segments.map(
        (s) =>
          svg`<rect x=${group.x} y=${s.y} width=${BAR} height=${s.height} data-cents=${s.cents} style="fill:${colour(s.colour)}"></rect>`,
      )}</g>`,
  )}`;
}
