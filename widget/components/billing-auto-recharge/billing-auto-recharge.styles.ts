import { css } from 'lit';

/** Three amount fields side by side when there is room, stacked on a phone; the status above them. */
export const autoRechargeStyles = css`
  form {
    display: grid;
    gap: var(--_gap);
  }
  .fields {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
    gap: 8px;
  }
  label {
    display: grid;
    gap: 4px;
    align-content: end;
  }
  input {
    width: 100%;
    box-sizing: border-box;
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .status {
    display: grid;
    gap: 4px;
  }
  [part~='status'] span {
    display: block;
  }
  [part~='hint']:empty {
    display: none;
  }
  [part~='complete'] {
    justify-self: start;
  }
`;
