import { css } from 'lit';

/** The form stacks presets, field, hint and button; the button keeps its natural width. */
export const topupStyles = css`
  form,
  label {
    display: grid;
    gap: 8px;
    justify-items: start;
  }
`;
