import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// One runner for the whole repo. Workspace packages resolve to their TypeScript
// sources through the "source" export condition, so unit tests need no build;
// tests that spawn the built daemon or drive the built panel rely on `npm run build`.
export default defineConfig({
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: ['*/test/**/*.test.ts', '*/test/**/*.test.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    // The shared test kit: a test that renders a missing translation id fails.
    setupFiles: ['./testkit/src/vitest-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
