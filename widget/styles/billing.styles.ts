import { css } from 'lit';

/**
 * The one stylesheet every element shares: design tokens with light and dark defaults, and the
 * card, button, field, message and toast styles. `--billing-*` properties set by the host win;
 * `theme` forces a scheme, otherwise the reader's `prefers-color-scheme` decides (via `light-dark()`).
 */
export const billingStyles = css`
  :host {
    display: block;
    color-scheme: light dark;
    --_fg: var(--billing-color-text, light-dark(#1c1c21, #f1f1f4));
    --_muted: var(--billing-color-muted, light-dark(#55555f, #b9b9c4));
    --_bg: var(--billing-color-surface, light-dark(#fff, #1f1f25));
    --_line: var(--billing-color-border, light-dark(#cfcfd8, #4a4a55));
    --_accent: var(--billing-color-accent, light-dark(#1f4fcf, #a7bcff));
    --_on-accent: var(--billing-color-on-accent, light-dark(#fff, #101a3a));
    --_danger: var(--billing-color-danger, light-dark(#b3261e, #ffb4ab));
    --_radius: var(--billing-radius, 8px);
    --_gap: var(--billing-spacing, 12px);
    font: var(--billing-font, inherit);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  [part~='base'],
  [part~='toast'] {
    display: grid;
    gap: var(--_gap);
    padding: var(--_gap);
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_fg);
  }
  h2,
  p {
    margin: 0;
    font-size: 1em;
  }
  .muted {
    color: var(--_muted);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  button,
  input {
    font: inherit;
    border-radius: var(--_radius);
    padding: 6px 12px;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .secondary,
  [aria-pressed='false'],
  input {
    background: var(--_bg);
    color: var(--_accent);
  }
  input {
    color: var(--_fg);
    border-color: var(--_line);
  }
  /* The card is a grid, which would stretch Retry across a wide card. */
  [part~='retry'] {
    justify-self: start;
  }
  :disabled {
    opacity: 0.6;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .error {
    color: var(--_danger);
    border-color: var(--_danger);
  }
  [part~='toast'] {
    position: fixed;
    inset: auto 16px 16px auto;
    z-index: 9999;
    box-shadow: 0 4px 16px #0004;
  }
`;
