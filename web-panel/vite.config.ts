import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server forwards API and live traffic to a running edge (`npm start` at the root).
const edge = process.env.CAMPUS_EDGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // "source" lets the i18n catalogue come straight from protocol/src, as in vitest.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd's Table is the heaviest piece; it lives in the lazily loaded page chunks.
    chunkSizeWarningLimit: 900,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': edge,
      '/healthz': edge,
      '/socket.io': { target: edge, ws: true },
    },
  },
});
