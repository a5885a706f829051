import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudSyncClient } from '../../src/client/sync-client.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { openDatabase } from '../../src/server/db/open.js';
import { availableBackends } from '../helpers/backends.js';
import { waitFor, type Json } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { freePort, killHard, spawnTs } from '../helpers/processes.js';

/** 20 kills on PostgreSQL; fewer on PGlite, whose every restart replays its WAL in WebAssembly (~5 s). */
const TRIALS = { postgres: 20, pglite: 8 } as const;

/**
 * kill -9 of the cloud process (`campus-cloud start`) at random points while an edge
 * drains into it, 20 times on PostgreSQL (8 on PGlite). Each transaction either committed (the edge may resend; the
 * cloud drops the repeat) or did not (the edge resends): nothing lost, nothing twice.
 */
for (const backend of await availableBackends()) {
  const trials = TRIALS[backend.name];
  describe(`cloud killed with SIGKILL during a drain (${backend.name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });

    it(`loses and duplicates nothing over ${trials} random kills`, async () => {
      const db = await backend.open();
      cleanups.push(db.cleanup);
      const port = await freePort();
      const adminToken = randomBytes(18).toString('base64url');
      const env: Record<string, string> = {
        PORT: String(port),
        HOST: '127.0.0.1',
        CAMPUS_CLOUD_ADMIN_TOKEN: adminToken,
        ...(db.options.databaseUrl ? { DATABASE_URL: db.options.databaseUrl } : { CAMPUS_CLOUD_DATA_DIR: db.options.dataDir! }),
      };
      const url = `http://127.0.0.1:${port}`;
      const startCloud = async () => {
        const child = spawnTs('cloud-sync/src/bin/campus-cloud.ts', env, ['start']);
        cleanups.push(() => killHard(child));
        await child.waitForLine(/"listening"/, 60_000);
        return child;
      };

      let cloud = await startCloud();
      const admin = async (path: string, body: unknown) => {
        const r = await fetch(url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(r.status).toBe(201);
        return (await r.json()) as Json;
      };
      const school = await admin('/schools', { name: '云端崩溃测试' });
      const campus = await admin(`/schools/${school.id}/campuses`, { name: '主校区', site: 'crash-cloud' });
      const edge = await admin(`/schools/${school.id}/edges`, { name: '网关', campusId: campus.id });

      const outbox = new MemoryOutbox();
      const client = new CloudSyncClient({ cloudUrl: url, credentials: edge.credentials, outbox, maxBatchEvents: 25, idlePollMs: 20, backoff: { initialMs: 50, maxMs: 300 } });
      await client.start();
      const ids: string[] = [];
      try {
        for (let trial = 0; trial < trials; trial++) {
          const evs = Array.from({ length: 150 }, (_, i) => (i % 6 === 0 ? gatePass('crash-cloud', `s${i}`, 'in') : makeEvent('crash-cloud')));
          outbox.append(evs);
          ids.push(...evs.map((e) => e.id));
          client.wake();
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
          await killHard(cloud);
          cloud = await startCloud();
        }
        await waitFor(async () => (await client.status()).backlog === 0, 'drained', 60_000);
      } finally {
        await client.stop();
      }
      cloud.kill('SIGTERM');
      await cloud.exited;

      const check = await openDatabase(db.options);
      try {
        const r = await check.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE id = ANY($1::uuid[])', [ids]);
        expect(r.rows[0]).toEqual({ n: ids.length, d: ids.length });
      } finally {
        await check.close();
      }
    }, 600_000);
  });
}
