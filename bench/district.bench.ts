/**
 * District report over a year: 300 schools × 365 days of daily attendance, answered by
 * the cloud's staff API (`GET /api/staff/district/report`, signed in as the district
 * admin) on real PostgreSQL, from the daily roll-up table the ingest path keeps.
 *
 * Seeding: the roll-up rows (109,500: one per school and day, school days Monday to
 * Friday with lates, absences, gate counts, energy and USB counts) are written with SQL,
 * as the ingest hook would have left them; the report code reads them exactly as in
 * production. Baseline, measured in the same run: the same per-school attendance sums
 * computed straight from the events table for ONE month of attendance events (what the
 * report would have to scan without the roll-up), 300 schools × 22 school days × 30
 * late/absent events.
 *
 * district.report.year = median of 5 report requests (s); target ≤ 2 s.
 */
import { randomBytes } from 'node:crypto';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { quietLogger, startCloud } from '../cloud-sync/src/server/index.js';
import { median, report } from './lib.js';

const SCHOOLS = Number(process.env.DISTRICT_SCHOOLS ?? 300);
const DAYS = 365;
const TO = '2026-11-30';
const FROM = '2025-12-01';

async function main(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark');
  const tmp = await createTempDatabase(adminUrl);
  const password = randomBytes(12).toString('base64url');
  const cloud = await startCloud({ databaseUrl: tmp.url, logger: quietLogger, jobs: 'table' });
  try {
    const db = cloud.db;
    const t0 = performance.now();
    await db.query(`INSERT INTO schools (id, name, created_at) SELECT 'sch-' || lpad(i::text, 3, '0'), '第' || i || '学校', 0 FROM generate_series(1, $1) AS i`, [SCHOOLS]);
    const ids = (await db.query<{ id: string }>('SELECT id FROM schools ORDER BY id')).rows.map((r) => r.id);
    const district = await cloud.districts.create({ name: '基准教育局', schoolIds: ids });
    // One row per school and day; school days Monday to Friday; deterministic pseudo-random counts.
    await db.query(
      `INSERT INTO district_daily (school_id, day, students, entries, late, absent, left_early, gate_refused, gate_forced, fire_alarms, energy_wh, energy_after_wh, usb_blocked, updated_at)
       SELECT s.id, d::date, 800 + (h % 700),
              CASE WHEN wd < 6 THEN 780 + (h % 650) ELSE 0 END,
              CASE WHEN wd < 6 THEN h % 23 ELSE 0 END,
              CASE WHEN wd < 6 THEN h % 17 ELSE 0 END,
              CASE WHEN wd < 6 THEN h % 5 ELSE 0 END,
              h % 9, h % 3, 0,
              400000 + (h % 300000), 40000 + (h % 90000), h % 4, 0
       FROM schools s, generate_series($1::date, $2::date, interval '1 day') AS d,
            LATERAL (SELECT abs(hashtext(s.id || d::text)) AS h, extract(isodow FROM d)::int AS wd) x`,
      [FROM, TO],
    );
    // Their KPI rows (pupils present, bus stops, work orders), one per school-day as ingest writes them.
    await db.query(
      `INSERT INTO district_daily_kpi (school_id, day, present, bus_arrivals, bus_on_time, repairs_opened, repairs_done, repairs_confirmed, repairs_rating_sum, repairs_rated, repairs_sla_breached, updated_at)
       SELECT d.school_id, d.day, GREATEST(d.students - d.absent - (h % 11), 0),
              CASE WHEN d.entries > 0 THEN 40 + h % 20 ELSE 0 END, CASE WHEN d.entries > 0 THEN 36 + h % 20 ELSE 0 END,
              h % 4, h % 3, h % 3, (h % 3) * 4, h % 3, h % 2, 0
       FROM district_daily d, LATERAL (SELECT abs(hashtext(d.school_id || d.day::text || 'k')) AS h) x`,
    );
    const rows = (await db.query<{ n: number }>('SELECT count(*) AS n FROM district_daily')).rows[0]!.n;
    await db.query('ANALYZE district_daily');
    await db.query('ANALYZE district_daily_kpi');
    console.log(`seeded ${SCHOOLS} schools, ${rows} roll-up rows in ${Math.round(performance.now() - t0)} ms`);

    const created = await fetch(`${cloud.url}/api/admin/districts/${district.id}/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench-edu', displayName: '教育局', password }),
    });
    if (created.status !== 201) throw new Error(`district admin: ${created.status} ${await created.text()}`);
    const signIn = await fetch(`${cloud.url}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-edu', password }) });
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;

    const ask = async (path: string) => {
      const t = performance.now();
      const r = await fetch(`${cloud.url}/api/staff${path}`, { headers: { cookie } });
      const body = Buffer.from(await r.arrayBuffer());
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.toString('utf8').slice(0, 300)}`);
      return { s: (performance.now() - t) / 1000, body };
    };
    const path = `/district/report?from=${FROM}&to=${TO}`;
    const first = await ask(path);
    const parsed = JSON.parse(first.body.toString('utf8')) as { schools: unknown[]; months: unknown[]; total: { attendanceRate: number } };
    if (parsed.schools.length !== SCHOOLS || parsed.months.length !== 12) throw new Error(`report covers ${parsed.schools.length} schools, ${parsed.months.length} months`);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await ask(path)).s);
    const xlsx: number[] = [];
    for (let i = 0; i < 3; i++) xlsx.push((await ask(`/district/report/export?from=${FROM}&to=${TO}`)).s);

    // Baseline: one month of attendance events, summed per school straight from `events`.
    const t1 = performance.now();
    await db.query(
      `INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
       SELECT s.id, gen_random_uuid(), s.id, 'edge', CASE WHEN k % 2 = 0 THEN 'attendance.late' ELSE 'attendance.absent' END,
              extract(epoch FROM d)::bigint * 1000 + k * 1000, extract(epoch FROM d)::bigint * 1000, true, 'attendance', 'notice', 2, 'attendance', 'stu-' || k,
              jsonb_build_object('day', to_char(d, 'YYYY-MM-DD'), 'personId', 'stu-' || k, 'personName', '学生', 'status', 'late')
       FROM schools s, generate_series('2026-11-02'::date, '2026-11-30'::date, interval '1 day') AS d, generate_series(1, 30) AS k
       WHERE extract(isodow FROM d) < 6`,
    );
    await db.query('ANALYZE events');
    const events = (await db.query<{ n: number }>('SELECT count(*) AS n FROM events')).rows[0]!.n;
    console.log(`seeded ${events} attendance events for the baseline in ${Math.round(performance.now() - t1)} ms`);
    const direct: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await db.query(
        `SELECT school_id, count(*) FILTER (WHERE type = 'attendance.late') AS late, count(*) FILTER (WHERE type = 'attendance.absent') AS absent,
                count(DISTINCT data->>'day') AS days
         FROM events WHERE school_id = ANY($1::text[]) AND type IN ('attendance.late', 'attendance.absent')
           AND occurred_at >= $2 AND occurred_at < $3 GROUP BY school_id`,
        [ids, Date.parse('2026-11-01T00:00:00+08:00'), Date.parse('2026-12-01T00:00:00+08:00')],
      );
      direct.push((performance.now() - t) / 1000);
    }
    const value = Math.round(median(times) * 1000) / 1000;
    report({
      name: 'district.report.year',
      metric: 'median latency of the district report (5 requests)',
      value,
      unit: 's',
      target: '<= 2',
      baseline: { name: 'district.report.month.from_events', value: Math.round(median(direct) * 1000) / 1000, unit: 's' },
      notes: `${SCHOOLS} schools × ${DAYS} days (${rows} roll-up rows) through GET /api/staff/district/report on PostgreSQL; first request ${first.s.toFixed(3)} s; Excel export median ${median(xlsx).toFixed(3)} s. Baseline: the same sums over ONE month of raw attendance events (${events} rows) without the roll-up.`,
    });
  } finally {
    await cloud.close();
    await tmp.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
