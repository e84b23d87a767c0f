/**
 * `npm run analyze` (also run by `npm run build`): custom-elements.json from the widgets' JSDoc, for
 * editors, Storybook, the package's `customElements` field and the generated React and Vue types.
 */
export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.test.ts', 'widget/testing/**', 'widget/build/**'],
  outdir: '.',
  litelement: true,
};
