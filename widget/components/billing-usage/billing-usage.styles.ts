import { css } from 'lit';

/**
 * The chart fills the card's width at a fixed height (bars stretch; no text is drawn inside the
 * SVG, so nothing distorts); the feature colours default to six that keep 3:1 against the card
 * in both schemes.
 */
export const usageStyles = css`
  :host {
    --billing-chart-1: light-dark(#1f4fcf, #a7bcff);
    --billing-chart-2: light-dark(#b35c00, #ffb870);
    --billing-chart-3: light-dark(#17693a, #90dcaa);
    --billing-chart-4: light-dark(#8a2bb3, #e0a8ff);
    --billing-chart-5: light-dark(#b3261e, #ffb4ab);
    --billing-chart-6: light-dark(#3d6f80, #9fd3e6);
  }
  [part='chart'] {
    position: relative;
    border-bottom: 1px solid var(--_line);
  }
  svg {
    display: block;
    width: 100%;
    height: 140px;
  }
  .on {
    opacity: 0.7;
  }
  /* Below the chart, over the axis and legend while it shows, so it never hides a bar. */
  [part='tooltip'] {
    position: absolute;
    top: calc(100% + 4px);
    z-index: 1;
    padding: 4px 8px;
    border: 1px solid var(--_line);
    background: var(--_bg);
    white-space: nowrap;
    pointer-events: none;
  }
  [part='tooltip'] > * {
    display: block;
  }
  .axis {
    justify-content: space-between;
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
    gap: 4px 16px;
  }
  li i {
    display: inline-block;
    width: 10px;
    height: 10px;
    margin-inline-end: 6px;
  }
  .hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
