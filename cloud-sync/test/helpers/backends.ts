import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';

/**
 * The two database backends every shared contract suite runs against. `open()` gives
 * the options for startCloud and a cleanup; PostgreSQL is skipped only when it is not
 * available and CI is not set.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  available(): Promise<boolean>;
  open(): Promise<{ options: { databaseUrl?: string; dataDir?: string }; cleanup(): Promise<void> }>;
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  available: async () => true,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'campus-pglite-'));
    return { options: { dataDir: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  available: async () => (await postgresUrl()) !== null,
  async open() {
    const url = await postgresUrl();
    if (!url) throw new Error('PostgreSQL unavailable');
    const db = await createTempDatabase(url);
    return { options: { databaseUrl: db.url }, cleanup: () => db.drop() };
  },
};

export const BACKENDS: Backend[] = [pgliteBackend, postgresBackend];

/** Top-level await in a test file: which backends to run. */
export async function availableBackends(): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const b of BACKENDS) if (await b.available()) out.push(b);
  return out;
}
