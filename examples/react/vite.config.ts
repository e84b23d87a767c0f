import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The React example. `billing-widgets` resolves to this repository's widget sources; an app that
 * installs the package imports the same name. `base: './'` lets the host backend serve the build
 * under /react/; in development `/api` goes to the host backend (examples/host-backend).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  resolve: {
    alias: { 'billing-widgets': fileURLToPath(new URL('../../widget/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { port: 5181, proxy: { '/api': 'http://127.0.0.1:5180' } },
});
