import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** The billing elements are custom elements: Vue leaves them to the browser instead of resolving components. */
const isBillingElement = (tag: string) => tag.startsWith('billing-') || tag === 'setup-payment-modal';

/**
 * The Vue example. `billing-widgets` resolves to this repository's widget sources; an app that
 * installs the package imports the same name. `base: './'` lets the host backend serve the build
 * under /vue/; in development `/api` goes to the host backend (examples/host-backend).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [vue({ template: { compilerOptions: { isCustomElement: isBillingElement } } })],
  resolve: {
    alias: { 'billing-widgets': fileURLToPath(new URL('../../widget/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { port: 5182, proxy: { '/api': 'http://127.0.0.1:5180' } },
});
