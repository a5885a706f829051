import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudSyncClient } from '../../src/client/sync-client.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { quietLogger, startCloud, type RunningCloud } from '../../src/server/index.js';
import { waitFor } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';

const available = privatePostgresAvailable();
if (!available && process.env.CI) throw new Error('PostgreSQL binaries are required in CI');

/**
 * PostgreSQL restarted (and killed) while edges keep sending: requests fail for a moment,
 * the client backs off, the pg Pool opens fresh connections, and everything arrives once.
 */
describe.skipIf(!available)('PostgreSQL restarted mid-run', () => {
  let pg: PrivatePostgres;
  let cloud: RunningCloud;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    cloud = await startCloud({ databaseUrl: pg.url, logger: quietLogger });
  }, 60_000);
  afterAll(async () => {
    await cloud?.close().catch(() => undefined);
    pg?.destroy();
  });

  it('recovers by itself after a fast restart and after an immediate (crash) stop', async () => {
    const edge = await cloud.provisionEdge({ schoolName: '重启测试学校', site: 'pg-restart' });
    const outbox = new MemoryOutbox();
    const client = new CloudSyncClient({ cloudUrl: cloud.url, credentials: edge.credentials, outbox, maxBatchEvents: 50, idlePollMs: 20, backoff: { initialMs: 50, maxMs: 500 } });
    await client.start();
    const all: string[] = [];
    const add = (n: number) => {
      const evs = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? gatePass('pg-restart', `s${i}`, 'in') : makeEvent('pg-restart')));
      outbox.append(evs);
      all.push(...evs.map((e) => e.id));
      client.wake();
    };
    try {
      add(500);
      await waitFor(async () => (await client.status()).sentTotal > 0, 'first batches');
      pg.restart('fast');
      add(500);
      pg.restart('immediate');
      add(500);
      await waitFor(async () => (await client.status()).backlog === 0, 'drained after restarts', 60_000);
      const r = await cloud.db.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE id = ANY($1::uuid[])', [all]);
      expect(r.rows[0]).toEqual({ n: 1500, d: 1500 });
      const health = await fetch(cloud.url + '/api/health');
      expect(health.status).toBe(200);
      // Notification jobs (pg-boss) kept working too: gate events got their notice job processed.
      await waitFor(async () => (await cloud.db.query<{ n: number }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'notify-guardians' AND state = 'completed'`)).rows[0]!.n > 0, 'pg-boss jobs completed', 60_000);
    } finally {
      await client.stop();
    }
  }, 120_000);
});
