import { css } from 'lit';

/** A centred native dialog whose card is the base part, with the close button in its corner. */
export const setupModalStyles = css`
  :host {
    display: contents;
  }
  dialog {
    padding: 0;
    border: 0;
    background: none;
    width: min(26em, 90vw);
  }
  dialog::backdrop {
    background: #0008;
  }
  /* The dialog's own ×, not the toast's, which the dialog holds while open. */
  dialog > [part~='close'] {
    position: absolute;
    top: 8px;
    right: 8px;
  }
`;
