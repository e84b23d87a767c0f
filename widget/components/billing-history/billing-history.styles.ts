import { css } from 'lit';

/** A compact ledger table; amounts right-aligned, credits in the success colour. */
export const historyStyles = css`
  table {
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 4px 12px 4px 0;
    border-bottom: 1px solid var(--_line);
  }
  .credit {
    color: var(--_success);
  }
`;
