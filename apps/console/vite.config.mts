import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // The API serves the build's assets at /console/assets/, for both entries.
  base: '/console/',
  plugins: [react()],
  resolve: {
    // core's browser-safe sources (ES modules, no Node APIs): only what the console uses is bundled.
    alias: { '@keywarden/core': fileURLToPath(new URL('../../packages/core/src/browser.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: true,
    // Two entries sharing their chunks: the operators' console and the customers' portal.
    rollupOptions: { input: { console: 'index.html', portal: 'portal.html' } },
  },
});
