import { css } from 'lit';

/** A compact ledger table; amounts right-aligned, credits in the success colour. */
export const historyStyles = css`
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: start;
    padding: 4px 8px 4px 0;
    border-bottom: 1px solid var(--_line);
  }
  /* Amounts line up and never break, so four columns fit a 360 px phone without overflowing. */
  :is(th, td):nth-child(n + 3) {
    text-align: end;
    white-space: nowrap;
  }
  :is(th, td):last-child {
    padding-inline-end: 0;
  }
  .credit {
    color: var(--billing-color-success, light-dark(#17693a, #90dcaa));
  }
`;
