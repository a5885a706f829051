import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The cloud console (学校管理后台): the same codebase built a second time, served by the
// cloud under /console/. The dev server forwards the staff API to a running cloud.
const cloud = process.env.CAMPUS_CLOUD_URL ?? 'http://127.0.0.1:8780';

/** console.html is the entry; the cloud serves it as index.html. */
const asIndex: Plugin = {
  name: 'console-index-html',
  apply: 'build',
  writeBundle(options, bundle) {
    if (bundle['console.html'] && options.dir) renameSync(join(options.dir, 'console.html'), join(options.dir, 'index.html'));
  },
};

export default defineConfig({
  plugins: [react(), asIndex],
  base: '/console/',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist-console',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: { input: 'console.html' },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': cloud },
  },
});
