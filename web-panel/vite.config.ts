import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Writes `<file>.br` and `<file>.gz` next to each built text file (best compression,
 * once at build time); the edge sends them to browsers that accept them
 * (edge-agent/src/http/panel-static.ts) and compresses nothing itself for a fresh build.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'campus-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

// The dev server forwards API and live traffic to a running edge (`npm start` at the root).
const edge = process.env.CAMPUS_EDGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), precompress()],
  // "source" lets the i18n catalogue come straight from protocol/src, as in vitest.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd's Table is the heaviest piece; it lives in the lazily loaded page chunks.
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // Fold the many small shared chunks (an icon, a hook) into their neighbours: on a
        // slow phone each module request costs main-thread time of its own.
        experimentalMinChunkSize: 20_000,
      },
    },
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
