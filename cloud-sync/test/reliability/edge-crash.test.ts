import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileOutbox } from '../../src/client/reference/file-outbox.js';
import { availableBackends } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { killHard, spawnTs } from '../helpers/processes.js';

const TRIALS = 20;
const EVENTS_PER_TRIAL = 600;
const backend = (await availableBackends()).at(-1)!; // PostgreSQL when present

/**
 * kill -9 of the edge process at a random point of a drain, 20 times: after a restart
 * the drain resumes from the durable cursors; every event is in the cloud exactly once.
 */
describe(`edge killed with SIGKILL during a drain (cloud on ${backend.name})`, () => {
  let cloud: TestCloud;
  let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
  const dirs: string[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud(backend);
    edge = await cloud.provisionEdge({ schoolName: '崩溃测试学校', site: 'crash-edge' });
  });
  afterAll(async () => {
    await cloud?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`loses and duplicates nothing over ${TRIALS} random kills`, async () => {
    let killedMidDrain = 0;
    let resentDuplicates = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = mkdtempSync(join(tmpdir(), 'campus-crash-'));
      dirs.push(dir);
      const outbox = new FileOutbox(dir);
      const events = Array.from({ length: EVENTS_PER_TRIAL }, (_, i) => (i % 7 === 0 ? gatePass('crash-edge', `s${i}`, 'in') : makeEvent('crash-edge', { priority: (i % 3 === 0 ? 2 : 3) as 2 | 3 })));
      outbox.append(events);
      outbox.close();
      const env = { OUTBOX_DIR: dir, CLOUD_URL: cloud.url, EDGE_CREDENTIALS: JSON.stringify(edge.credentials), BATCH: '20' };

      const first = spawnTs('cloud-sync/test/reliability/fixtures/drain-child.ts', env);
      await first.waitForLine(/^started$/);
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      await killHard(first);
      const atKill = await storedCount(cloud, edge.schoolId, events.map((e) => e.id));
      if (atKill > 0 && atKill < EVENTS_PER_TRIAL) killedMidDrain++;

      const second = spawnTs('cloud-sync/test/reliability/fixtures/drain-child.ts', env);
      const done = await second.waitForLine(/^drained /, 60_000);
      await second.exited;
      resentDuplicates += (JSON.parse(done.slice('drained '.length)) as { duplicates: number }).duplicates;

      const ids = events.map((e) => e.id);
      const rows = await cloud.db.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE school_id = $1 AND id = ANY($2::uuid[])', [edge.schoolId, ids]);
      expect(rows.rows[0], `trial ${trial}`).toEqual({ n: EVENTS_PER_TRIAL, d: EVENTS_PER_TRIAL });
      const after = new FileOutbox(dir);
      expect((await after.backlog()).pendingByLane).toEqual({ 0: 0, 1: 0, 2: 0, 3: 0 });
      after.close();
    }
    // The test only means something if kills really landed in the middle of drains.
    expect(killedMidDrain).toBeGreaterThan(0);
    console.log(`edge crash: ${killedMidDrain}/${TRIALS} kills mid-drain, ${resentDuplicates} events resent and dropped as duplicates by the cloud`);
  }, 600_000);
});

async function storedCount(cloud: TestCloud, schoolId: string, ids: string[]): Promise<number> {
  return (await cloud.db.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE school_id = $1 AND id = ANY($2::uuid[])', [schoolId, ids])).rows[0]!.n;
}
