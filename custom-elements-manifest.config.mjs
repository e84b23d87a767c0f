/**
 * Lit's `static properties` entries with `state: true` are internal reactive state, not attributes;
 * the analyzer lists them as attributes, so this plugin removes them again.
 */
function litInternalState() {
  const stateNames = new Set();
  return {
    name: 'lit-internal-state',
    analyzePhase({ ts, node }) {
      if (!ts.isPropertyDeclaration(node) || node.name.getText() !== 'properties') return;
      if (!node.initializer || !ts.isObjectLiteralExpression(node.initializer)) return;
      for (const property of node.initializer.properties) {
        if (property.initializer?.getText().includes('state: true')) stateNames.add(property.name.getText());
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          declaration.attributes = declaration.attributes?.filter(
            (a) => !stateNames.has(a.fieldName ?? a.name),
          );
        }
      }
    },
  };
}

/** `npm run analyze`: custom-elements.json (git-ignored) from the widgets' JSDoc, for editors and Storybook. */
export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.test.ts', 'widget/testing/**', 'widget/build/**'],
  outdir: '.',
  litelement: true,
  plugins: [litInternalState()],
};
