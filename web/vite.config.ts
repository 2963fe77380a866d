// Builds the single-page app into dist/, which the C++ server serves (non-/api paths fall back
// to index.html). JSX is compiled by esbuild for Preact; no framework plugin is needed.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    // `npx vite` during development talks to a locally running `tinydata serve` (make run).
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
