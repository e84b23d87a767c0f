import { css } from 'lit';

/** A button, not a card: the base part loses the card's frame and the heading is for screen readers. */
export const portalButtonStyles = css`
  :host {
    display: inline-block;
  }
  [part~='base'] {
    padding: 0;
    border: 0;
    background: none;
  }
  h2 {
    position: absolute;
    clip-path: inset(50%);
  }
`;
