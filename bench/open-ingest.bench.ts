/**
 * What open data and the district roll-up cost the ingest path, on real PostgreSQL.
 *
 * The same `EventIngest` stores 500-event batches of gate decisions (the morning rush's
 * shape) three ways, interleaved so machine noise hits all alike: without hooks (the
 * baseline), with the district roll-up and webhook hooks and no subscription (every
 * school that does not use webhooks), and with one subscription to `access.*` (one
 * delivery row per event and a queued job per batch, in the same transaction).
 *
 * open.ingest.overhead = median batch time with hooks / without (× baseline).
 */
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { gatePass } from '@campus/testkit';
import { migrate } from '../cloud-sync/src/server/db/migrations.js';
import { openDatabase } from '../cloud-sync/src/server/db/open.js';
import { EventIngest } from '../cloud-sync/src/server/edge-api/ingest.js';
import { DistrictRollup } from '../cloud-sync/src/server/district/rollup.js';
import { TableQueue } from '../cloud-sync/src/server/jobs/table-queue.js';
import { DEFAULT_WEBHOOK_OPTIONS, Webhooks } from '../cloud-sync/src/server/open/webhooks.js';
import { Tenancy } from '../cloud-sync/src/server/tenancy/tenancy.js';
import { median, report } from './lib.js';

const BATCHES = Number(process.env.OPEN_INGEST_BATCHES ?? 12);
const SIZE = 500;

async function main(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark');
  const tmp = await createTempDatabase(adminUrl);
  const db = await openDatabase({ databaseUrl: tmp.url });
  try {
    await migrate(db);
    const tenancy = new Tenancy(db);
    // A queue that is never started: jobs are inserted (as in production) and left alone.
    const queue = new TableQueue(db);
    const webhooks = new Webhooks(db, queue, { ...DEFAULT_WEBHOOK_OPTIONS, now: Date.now });
    const rollup = new DistrictRollup(db, queue);
    const variants = [
      { name: 'no hooks', hooks: [] as never[] },
      { name: 'hooks, no subscription', hooks: [rollup, webhooks] },
      { name: 'hooks, one subscription', hooks: [rollup, webhooks] },
    ];
    const setups = [];
    for (const [i, v] of variants.entries()) {
      const school = await tenancy.createSchool({ name: `ingest ${i}` });
      await tenancy.createCampus(school.id, { name: 'c', site: `ingest-${i}` });
      const edge = await tenancy.createEdge(school.id, { name: 'e' });
      await db.query(`INSERT INTO records (school_id, kind, key, data, seq, changed_at) SELECT $1, 'person', 's' || g, '{"name":"x","roles":["student"]}', g, 0 FROM generate_series(1, 1000) g`, [school.id]);
      if (i === 2) await webhooks.create(db, school.id, { url: 'https://hooks.example.org/x', eventTypes: ['access.*'], description: '', sensitive: false });
      setups.push({ ...v, site: `ingest-${i}`, edge: { edgeId: edge.edgeId, schoolId: school.id, keyId: 'k' }, ingest: new EventIngest(db, tenancy, queue, Date.now, v.hooks), times: [] as number[] });
    }
    for (let b = 0; b < BATCHES + 2; b++) {
      for (const s of setups) {
        const events = Array.from({ length: SIZE }, (_, i) => gatePass(s.site, `s${(b * SIZE + i) % 1000}`, 'in'));
        const t = performance.now();
        const r = await s.ingest.ingest(s.edge, events);
        if (r.accepted !== SIZE) throw new Error(`${s.name}: stored ${r.accepted}`);
        if (b >= 2) s.times.push(performance.now() - t); // two warm-up rounds
      }
    }
    const [base, none, sub] = setups.map((s) => median(s.times));
    const deliveries = (await db.query<{ n: number }>('SELECT count(*) AS n FROM open_webhook_deliveries')).rows[0]!.n;
    const days = (await db.query<{ n: number }>('SELECT sum(entries) AS n FROM district_daily')).rows[0]!.n;
    if (deliveries !== (BATCHES + 2) * SIZE || days !== 2 * (BATCHES + 2) * SIZE) throw new Error(`hooks did not run: ${deliveries} deliveries, ${days} entries rolled up`);
    report({
      name: 'open.ingest.overhead',
      metric: `median time to store a ${SIZE}-event batch, with the roll-up and webhook hooks (no subscription) / without`,
      value: Math.round((none! / base!) * 100) / 100,
      unit: '× baseline',
      baseline: { name: 'ingest.batch500.nohooks', value: Math.round(base!), unit: 'ms' },
      notes: `no hooks ${base!.toFixed(0)} ms, hooks without subscription ${none!.toFixed(0)} ms, hooks with one access.* subscription ${sub!.toFixed(0)} ms (${(sub! / base!).toFixed(2)}×) per ${SIZE}-event batch; ${BATCHES} batches each, interleaved, PostgreSQL.`,
    });
  } finally {
    await db.close();
    await tmp.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
