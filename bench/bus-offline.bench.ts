/**
 * A school bus trip recorded offline reaches the cloud (issue 13):
 *  - bus.offline.catchup: a 30-minute afternoon trip (1 Hz GPS fixes through the bus
 *    domain's position entry, the one the NMEA reader calls; 40 children boarding by card
 *    at school and alighting at four stops; the rear check and the close) played on a
 *    real bus box (startEdge, SQLite) with its link to the cloud cut (a TCP proxy that
 *    drops every connection) for the whole trip, and then some real seconds more so the
 *    box's retry pacing is where a long tunnel leaves it. Measured: seconds from the link
 *    coming back until every bus event of the trip and every stored (thinned) position is
 *    in the cloud's PostgreSQL (a `campus-cloud` process, pg-boss), polled every 50 ms.
 *  - bus.offline.lost / bus.offline.duplicated: every event id and every position
 *    (vehicle, time) compared between the box's SQLite and the cloud's tables.
 *  - Baseline in the same run: the same trip played with the link up the whole time;
 *    seconds from the trip's last event to everything at the cloud.
 * The box runs on fake time (30 minutes in seconds); the cloud process's clock follows it
 * (edge-agent/test/helpers/offset-clock-preload.mjs) so the box's signed requests stay fresh.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import pg from 'pg';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { startEdge, type Edge } from '../edge-agent/src/edge.js';
import type { BusDomain } from '../edge-agent/src/bus/domain.js';
import { FakeTime } from '../edge-agent/test/bus/fake-time.js';
import { LinkProxy } from '../edge-agent/test/helpers/link-proxy.js';
import { startCloudProcess } from '../edge-agent/test/sync/cloud-process.js';
import { TestIssuer, ZONES } from '../edge-agent/test/access/helpers.js';
import { report } from './lib.js';

const CHILDREN = 40;
const TRIP_S = Number(process.env.BUS_OFFLINE_TRIP_S ?? 1800);
/** Real seconds the link stays down after the trip (a long tunnel leaves the retry pacing at its ceiling). */
const HOLD_S = Number(process.env.BUS_OFFLINE_HOLD_S ?? 75);
const STOPS = [0, 1, 2, 3].map((k) => ({ id: `S${k + 1}`, name: `站点${k + 1}`, lat: 31.2 + k * 0.02, lon: 121.4, handover: false }));
const SCHOOL = { id: 'SCH', name: '学校', lat: 31.28, lon: 121.4, depot: true };
const kid = (i: number) => `20260100${String(i + 1).padStart(2, '0')}`;

async function main(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark');
  const tmp = await createTempDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'bench-bus-offline-'));
  const clockFile = join(dir, 'clock-offset');
  // Two 30-minute trips and the hold fit before real time.
  const time = new FakeTime(Math.floor(Date.now() / 1000) * 1000 - (2 * TRIP_S + 15 * 60) * 1000);
  const syncClock = () => writeFileSync(clockFile, String(time.t - Date.now()));
  syncClock();
  const sql = new pg.Client({ connectionString: tmp.url });
  let cloud: Awaited<ReturnType<typeof startCloudProcess>> | undefined;
  let proxy: LinkProxy | undefined;
  let edge: Edge | undefined;
  try {
    cloud = await startCloudProcess(dir, 'bus-offline', {
      DATABASE_URL: tmp.url,
      NODE_OPTIONS: `--import=${new URL('../edge-agent/test/helpers/offset-clock-preload.mjs', import.meta.url).pathname}`,
      CAMPUS_CLOCK_OFFSET_FILE: clockFile,
    });
    await sql.connect();
    proxy = await LinkProxy.start(Number(new URL(cloud.link.cloudUrl).port));
    const linkFile = join(dir, 'box-link.json');
    writeFileSync(linkFile, JSON.stringify({ ...JSON.parse(readFileSync(cloud.linkFile, 'utf8')), cloudUrl: proxy.url }));
    const records: Array<{ kind: string; key: string; data: unknown }> = [
      { kind: 'bus_vehicle', key: 'V1', data: { plate: '沪A12345', seats: 45 } },
      { kind: 'bus_route', key: 'R1', data: { name: '1号线', vehicleId: 'V1', stops: [...STOPS, SCHOOL] } },
    ];
    for (let i = 0; i < CHILDREN; i++) {
      records.push({ kind: 'person', key: kid(i), data: { name: `学生${i + 1}`, roles: ['student'], classId: '一年级-1班' } });
      records.push({ kind: 'card', key: kid(i), data: { personId: kid(i), version: 1, revoked: false } });
      records.push({ kind: 'bus_assignment', key: `a${i}`, data: { personId: kid(i), routeId: 'R1', stopId: STOPS[i % 4]!.id, direction: 'afternoon', from: '2026-01-01' } });
    }
    await cloud.write(records);
    const issuer = new TestIssuer('K1');
    const keysDir = join(dir, 'edge', 'keys');
    issuer.install(keysDir);
    syncClock();
    edge = await startEdge(
      {
        dataDir: join(dir, 'edge'),
        site: { id: 'bus-offline', name: '校车离线' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: 'admin', password: 'bench-admin-1' } },
        access: { zones: ZONES, keysDir },
        energy: { enabled: false },
        cloud: { enabled: true, linkFile },
        bus: { enabled: true, keysDir, vehicle: { plate: '沪A12345', seats: 45 }, checkMinutes: 120 },
      } as never,
      { wallNow: time.now, time, logger: pino({ level: 'silent' }) },
    );
    const e = edge;
    const s = (e.domains.get('bus') as BusDomain).service!;
    for (let i = 0; i < 600 && s.db.assignments().length < CHILDREN; i++) await new Promise((r) => setTimeout(r, 100));
    if (s.db.assignments().length < CHILDREN) throw new Error('the cloud’s bus records did not reach the box');
    for (let i = 0; i < 600 && !e.store.db.prepare("SELECT 1 FROM cloud_records WHERE kind = 'card' LIMIT 1").get(); i++) await new Promise((r) => setTimeout(r, 100));

    /** Plays one trip: at school 40 boardings, then 1 Hz fixes along the stops, 10 alightings at each, the check, the close. */
    async function trip(date: string): Promise<{ tripId: string; firstSeq: number; lastAt: number }> {
      const firstSeq = e.store.events.after(0, 10_000_000).at(-1)?.seq ?? 0;
      const t = s.openTrip('R1', 'afternoon', date, 'bench');
      const path = [SCHOOL, ...[...STOPS].reverse()];
      const fix = (lat: number, lon: number, speedKmh: number) =>
        s.position({ time: time.t, lat, lon, speedKmh, course: 0, quality: 1, satellites: 10, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: time.t });
      const tick = async () => {
        await time.advance(1000);
        syncClock();
      };
      fix(SCHOOL.lat, SCHOOL.lon, 0);
      for (let i = 0; i < CHILDREN; i++) {
        const r = s.scan(issuer.card(kid(i)), 'board', 'reader:door');
        if (r.reason !== 'bus.boarded') throw new Error(`boarding ${kid(i)}: ${r.reason}`);
      }
      // The rest of the trip: four legs of equal time, a 60 s halt at each stop.
      const leg = Math.floor((TRIP_S - 60) / 4);
      for (let k = 1; k < path.length; k++) {
        const a = path[k - 1]!;
        const b = path[k]!;
        for (let sec = 1; sec <= leg - 60; sec++) {
          await tick();
          const f = sec / (leg - 60);
          fix(a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f + (sec % 120 < 60 ? 0 : 0.0003), 36);
        }
        for (let sec = 0; sec < 60; sec++) {
          await tick();
          fix(b.lat, b.lon, 0);
          if (sec === 30) {
            for (let i = 0; i < CHILDREN; i++) {
              if (STOPS[i % 4]!.id !== b.id) continue;
              const r = s.scan(issuer.card(kid(i)), 'alight', 'reader:door');
              if (r.reason !== 'bus.alighted') throw new Error(`alighting ${kid(i)} at ${b.id}: ${r.reason}`);
            }
          }
        }
      }
      const c = s.check('CAMPUS-BUS-REAR-CHECK', 'bench');
      if (!c.ok) throw new Error(`check: ${c.reason}`);
      s.closeTrip('bench');
      return { tripId: t.id, firstSeq, lastAt: performance.now() };
    }

    /** What of a trip is not (or twice) at the cloud: every event id, every stored position. */
    async function compare(tr: { tripId: string; firstSeq: number }): Promise<{ events: number; fixes: number; missing: number; duplicated: number }> {
      const ids = e.store.events
        .after(tr.firstSeq, 10_000_000)
        .filter((x) => x.type.startsWith('bus.'))
        .map((x) => x.id);
      const fixes = (e.store.db.prepare('SELECT at FROM bus_positions WHERE trip_id = ? ORDER BY at').all(tr.tripId) as { at: number }[]).map((x) => x.at);
      const ev = await sql.query<{ id: string; n: string }>('SELECT id::text AS id, count(*) AS n FROM events WHERE id = ANY($1::uuid[]) GROUP BY id', [ids]);
      const pos = await sql.query<{ at: string; n: string }>("SELECT at::text AS at, count(*) AS n FROM bus_positions WHERE trip_id = $1 AND source = 'edge' GROUP BY at", [tr.tripId]);
      const evHave = new Map(ev.rows.map((x) => [x.id, Number(x.n)]));
      const posHave = new Map(pos.rows.map((x) => [Number(x.at), Number(x.n)]));
      const missing = ids.filter((id) => !evHave.has(id)).length + fixes.filter((at) => !posHave.has(at)).length;
      const duplicated = [...evHave.values(), ...posHave.values()].reduce((a, n) => a + n - 1, 0) + pos.rows.filter((x) => !fixes.includes(Number(x.at))).length;
      return { events: ids.length, fixes: fixes.length, missing, duplicated };
    }
    async function untilComplete(tr: { tripId: string; firstSeq: number }, fromMs: number, limitS: number): Promise<number | null> {
      for (;;) {
        if ((await compare(tr)).missing === 0) return (performance.now() - fromMs) / 1000;
        if (performance.now() - fromMs > limitS * 1000) return null;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const today = s.today();

    // Baseline: the link up all along.
    const online = await trip(today);
    const onlineS = await untilComplete(online, online.lastAt, 120);

    // The tunnel: cut before the trip, back after it and the hold.
    await time.advance(60_000);
    syncClock();
    proxy.cut();
    const cutReal = performance.now();
    const offline = await trip('2099-01-05');
    const playedS = (performance.now() - cutReal) / 1000;
    await new Promise((r) => setTimeout(r, HOLD_S * 1000));
    const before = await compare(offline);
    syncClock();
    const restoredAt = performance.now();
    proxy.restore();
    const catchupS = await untilComplete(offline, restoredAt, 180);
    const after = await compare(offline);
    const status = await (e.domains.get('sync') as unknown as { status(): Promise<{ duplicatesTotal: number; sentTotal: number } | null> }).status();
    console.log(`offline trip: ${after.events} bus events, ${after.fixes} stored positions; at the cloud before the link returned: ${before.events + before.fixes - before.missing}; played in ${playedS.toFixed(1)} s real, link down ${((restoredAt - cutReal) / 1000).toFixed(1)} s; proxy refused ${proxy.refused} connections`);
    const notes = `${TRIP_S / 60}-minute trip (${TRIP_S} fixes at 1 Hz, ${CHILDREN} boardings and ${CHILDREN} alightings, check, close): ${after.events} bus events and ${after.fixes} stored positions compared by id / (trip, time); link cut by a TCP proxy before the trip and restored ${HOLD_S} s (real) after it; campus-cloud on PostgreSQL; sync client resent ${status?.duplicatesTotal ?? 0} events the cloud already had; 2 shared cores with other agents`;
    report({
      name: 'bus.offline.catchup',
      metric: 'seconds',
      value: catchupS === null ? 999 : Math.round(catchupS * 100) / 100,
      unit: 's',
      target: '<= 10',
      baseline: { name: 'the same trip with the link up: last event → all at the cloud', value: onlineS === null ? 999 : Math.round(onlineS * 100) / 100, unit: 's' },
      notes,
    });
    report({ name: 'bus.offline.lost', metric: 'count', value: after.missing, unit: 'events+positions', target: '<= 0', notes: `every event id and stored position of the offline trip compared (${after.events} + ${after.fixes})` });
    report({ name: 'bus.offline.duplicated', metric: 'count', value: after.duplicated, unit: 'events+positions', target: '<= 0', notes: `rows at the cloud beyond one per event id / per position; the sync client resent ${status?.duplicatesTotal ?? 0} events the cloud answered as duplicates` });
  } finally {
    await edge?.stop().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await cloud?.stop().catch(() => undefined);
    await sql.end().catch(() => undefined);
    await tmp.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
