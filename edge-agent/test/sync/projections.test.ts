import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import Database from 'better-sqlite3';
import { startEdge, type Edge } from '../../src/edge.js';
import { ADMIN, ApiClient, tempDir, waitFor } from '../helpers/edge.js';
import { GATES, TestIssuer, ZONES } from '../access/helpers.js';
import { startCloudProcess } from './cloud-process.js';

/**
 * Cloud-owned records written at a real cloud process (PGlite) reach the edge's access
 * domain through the change feed, and the gate decides on them.
 */
describe('cloud records projected into gate access', () => {
  const dir = tempDir('campus-proj-');
  const dataDir = join(dir.path, 'edge');
  const issuer = new TestIssuer('K1');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let edge: Edge | null = null;
  let api: ApiClient;

  async function boot(): Promise<Edge> {
    issuer.install(join(dataDir, 'keys'));
    const e = await startEdge(
      {
        dataDir,
        site: { id: 'proj-test', name: '投影测试校区' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, gates: GATES, keysDir: join(dataDir, 'keys') },
        cloud: { enabled: true, linkFile: cloud.linkFile },
      },
      { logger: pino({ level: 'silent' }) },
    );
    api = new ApiClient(e.httpUrl);
    expect((await api.login(ADMIN.username, ADMIN.password)).status).toBe(200);
    return e;
  }

  const invalidCount = async (e: Edge, kind: string) => {
    const metrics = await (await fetch(`${e.httpUrl}/metrics`)).text();
    return Number(new RegExp(`^campus_edge_sync_records_invalid_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
  };

  /** The gate's decision for this QR at the east gate, inbound, now (through the access engine). */
  const decide = (e: Edge, text: string) => e.access.engine!.decide(text, e.access.gates.get('east')!, 'in', e.clock.now());

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'proj-test');
    edge = await boot();
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await cloud?.stop();
    dir.remove();
  });

  it('a student, guardian and card written in the cloud pass the gate; a guardian link appears', async () => {
    await cloud.write([
      { kind: 'person', key: 'S300', data: { name: '周小雨', roles: ['student'], classId: '初二-3班' } },
      { kind: 'person', key: 'g-zhou', data: { name: '周妈妈', roles: ['guardian'], phone: '13900000001' } },
      { kind: 'guardianship', key: 'S300:g-zhou', data: { studentId: 'S300', guardianId: 'g-zhou', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'card', key: 'S300', data: { personId: 'S300', version: 1, revoked: false } },
    ]);
    const e = edge!;
    const p = await waitFor(() => e.access.people.get('S300'), 15_000, 50);
    expect(p.name).toBe('周小雨');
    expect(e.access.people.className(p.classId)).toBe('初二 3班');
    const links = await waitFor(() => e.access.people.guardiansOf('S300').find((l) => l.guardianId === 'G-ZHOU'), 15_000, 50);
    expect(links).toMatchObject({ relation: 'mother', receivesNotices: true, mayPickUp: true });
    const d = decide(e, issuer.card('S300', 1));
    expect(d.granted).toBe(true);
    expect(d.reason).toBe('access.granted');
  }, 30_000);

  it('a revocation written in the cloud refuses the old card at the gate within seconds', async () => {
    const e = edge!;
    const card = issuer.card('S300', 1);
    expect(decide(e, card).granted).toBe(true);
    await cloud.write([{ kind: 'card', key: 'S300', data: { personId: 'S300', version: 1, revoked: true } }]);
    const refused = await waitFor(() => {
      const d = decide(e, card);
      return d.granted ? undefined : d;
    }, 15_000, 20);
    expect(refused.reason).toBe('credential.revoked');
    // The replacement card (version 2) passes once the cloud registers it.
    await cloud.write([{ kind: 'card', key: 'S300', data: { personId: 'S300', version: 2, revoked: false } }]);
    await waitFor(() => decide(e, issuer.card('S300', 2)).granted, 15_000, 20);
    expect(decide(e, card).reason).toBe('credential.revoked');
  }, 30_000);

  it('leaves, visitor passes and calendar days reach the access domain', async () => {
    const e = edge!;
    const now = Date.now();
    await cloud.write([
      { kind: 'leave', key: 'L-1', data: { personId: 'S300', from: now - 60_000, until: now + 3_600_000, reason: '看病', approvedBy: '班主任' } },
      { kind: 'visitor_pass', key: '1500001', data: { name: '来访家长', phone: '13700000000', host: 'S300', validFrom: now, validUntil: now + 7_200_000, gates: ['east', '2', 'gate-of-another-campus'] } },
      { kind: 'calendar', key: '2026-10-01', data: { date: '2026-10-01', kind: 'holiday', note: '国庆节' } },
      { kind: 'calendar', key: '2026-10-11', data: { date: '2026-10-11', kind: 'makeup_day' } },
    ]);
    const leave = await waitFor(() => e.access.leaves.covering('S300', now), 15_000, 50);
    expect(leave).toMatchObject({ reason: '看病', approvedBy: '班主任', source: 'cloud' });
    const pass = await waitFor(() => e.access.passes.record(1_500_001), 15_000, 50);
    expect(pass).toMatchObject({ kind: 'visitor', status: 'active', visitorName: '来访家长', hostPersonId: 'S300', gates: ['east', 'north'] });
    await waitFor(() => e.access.calendar.dayKind('2026-10-11') === 'makeup_workday', 15_000, 50);
    expect(e.access.calendar.dayKind('2026-10-01')).toBe('holiday');

    // The cloud's records (people, phones, leaves) are sealed at rest, like the edge's own.
    const raw = e.store.db.prepare('SELECT data FROM cloud_records').pluck().all() as string[];
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.every((d) => d.startsWith('ev1:'))).toBe(true);
    expect(raw.some((d) => d.includes('13700000000'))).toBe(false);

    // The cloud's pass is cancelled in the cloud, not here: a local cancellation would not survive its next update.
    const refused = await api.req('POST', '/api/access/passes/1500001/cancel', { why: '访客已离开' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('sync.cloud_owned');
    expect(refused.json.error.message['zh-CN']).toContain('云端');
    expect(e.access.passes.record(1_500_001)!.status).toBe('active');
    // Likewise the cloud's leave.
    const refusedLeave = await api.req('POST', `/api/access/leaves/${leave.id}/cancel`, { why: '取消' });
    expect(refusedLeave.status).toBe(409);
    expect(refusedLeave.json.error.code).toBe('sync.cloud_owned');
    expect(e.access.leaves.covering('S300', now)?.id).toBe(leave.id);
    // School bus routes and assignments belong to the cloud as well while sync is on.
    const busRoute = await api.req('PUT', '/api/bus/routes/R1', { id: 'R1', name: '1号线', stops: [{ id: 'S1', name: '幸福小区', lat: 31.2, lon: 121.4 }] });
    expect(busRoute.status).toBe(409);
    expect(busRoute.json.error.message['zh-CN']).toContain('校车线路');

    // Changed and withdrawn in the cloud: the edge follows.
    await cloud.write([
      { kind: 'leave', key: 'L-1', delete: true },
      { kind: 'visitor_pass', key: '1500001', delete: true },
      { kind: 'calendar', key: '2026-10-01', delete: true },
    ]);
    await waitFor(() => e.access.passes.record(1_500_001)?.status === 'cancelled', 15_000, 50);
    await waitFor(() => e.access.leaves.covering('S300', now) === undefined, 15_000, 50);
    expect(e.access.calendar.dayKind('2026-10-01')).not.toBe('holiday');
  }, 30_000);

  it('records the edge cannot use are counted and do not block the rest of the page', async () => {
    const e = edge!;
    const before = e.access.people.size;
    await cloud.write([
      { kind: 'person', key: 'too.long.for.a.card.id', data: { name: '无效编号', roles: ['student'] } },
      { kind: 'visitor_pass', key: 'not-a-number', data: { name: '访客', validFrom: 1, validUntil: 2 } },
      { kind: 'leave', key: 'L-bad', data: { personId: 'S300', from: 2_000, until: 1_000 } },
      { kind: 'person', key: 'S301', data: { name: '吴小北', roles: ['student'], classId: '初二-3班' } },
      { kind: 'card', key: 'S301', data: { personId: 'S301', version: 1, revoked: false } },
    ]);
    await waitFor(() => e.access.people.get('S301'), 15_000, 50);
    await waitFor(() => decide(e, issuer.card('S301', 1)).granted, 15_000, 50);
    expect(e.access.people.size).toBe(before + 1);
    const metrics = await (await fetch(`${e.httpUrl}/metrics`)).text();
    const invalid = [...metrics.matchAll(/^campus_edge_sync_records_invalid_total\{kind="(\w+)"\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
    expect(invalid).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('a card or guardianship that arrives before its person waits, and applies when the person comes', async () => {
    const e = edge!;
    await cloud.write([
      { kind: 'card', key: 'S302', data: { personId: 'S302', version: 3, revoked: false } },
      { kind: 'guardianship', key: 'S302:g-zhou', data: { studentId: 'S302', guardianId: 'g-zhou', relation: '奶奶', mayPickUp: false, receivesNotices: true } },
    ]);
    await waitFor(() => e.store.db.prepare("SELECT 1 FROM cloud_records WHERE kind = 'card' AND key = 'S302'").get(), 15_000, 50);
    expect(e.access.people.get('S302')).toBeUndefined();
    await cloud.write([{ kind: 'person', key: 'S302', data: { name: '郑小安', roles: ['student'] } }]);
    const p = await waitFor(() => (e.access.people.get('S302')?.minCardVersion === 3 ? e.access.people.get('S302') : undefined), 15_000, 50);
    expect(p.cardVersion).toBe(3);
    expect(decide(e, issuer.card('S302', 2)).reason).toBe('credential.revoked');
    expect(decide(e, issuer.card('S302', 3)).granted).toBe(true);
    expect(e.access.people.guardiansOf('S302')).toMatchObject([{ guardianId: 'G-ZHOU', relation: 'grandmother', mayPickUp: false }]);
  }, 30_000);

  it('refuses local writes of cloud-owned records with 409 and a bilingual message; edge-owned ones stay writable', async () => {
    const e = edge!;
    const person = await api.req('POST', '/api/access/people', { id: 'L100', name: '本地新增', roles: ['student'] });
    expect(person.status).toBe(409);
    expect(person.json.error.code).toBe('sync.cloud_owned');
    expect(person.json.error.message['zh-CN']).toContain('云端');
    expect(person.json.error.message.en).toContain('cloud');
    expect(e.access.people.get('L100')).toBeUndefined();
    expect((await api.req('PATCH', '/api/access/people/S300', { name: '改名' })).status).toBe(409);
    expect((await api.req('POST', '/api/access/people/S300/cards/revoke', { reason: '挂失' })).status).toBe(409);
    const now = Date.now();
    expect((await api.req('PUT', '/api/access/calendar/days/2026-12-25', { kind: 'holiday', name: '测试' })).status).toBe(409);
    // The panel's calendar page writes the same (one) calendar: cloud-owned too.
    expect((await api.req('POST', '/api/energy/calendar', { from: '2026-12-25', kind: 'holiday', name: '测试' })).status).toBe(409);
    expect(e.access.calendar.dayKind('2026-12-25')).not.toBe('holiday');
    // Ownership is per record: a leave registered here at the gate office is the edge's own …
    const local = await api.req('POST', '/api/access/leaves', { personId: 'S300', startsAt: now, endsAt: now + 3600_000, reason: '事假', approvedBy: '门卫室登记' });
    expect(local.status).toBe(201);
    expect((await api.req('POST', `/api/access/leaves/${local.json.leave.id}/cancel`, { why: '登记错了' })).status).toBe(200);
    // … while one the cloud sent is cancelled in the cloud.
    const cloudLeave = e.store.db.prepare("SELECT id FROM access_leaves WHERE created_by LIKE 'cloud:%' AND status = 'approved' LIMIT 1").get() as { id: number } | undefined;
    if (cloudLeave) {
      const refused = await api.req('POST', `/api/access/leaves/${cloudLeave.id}/cancel`, { why: 'x' });
      expect(refused.status).toBe(409);
      expect(refused.json.error.message['zh-CN']).toContain('云端');
    }
    expect(e.access.people.get('S300')!.name).toBe('周小雨');
    // Not signed in: the route still says 401 (nothing revealed before sign-in).
    expect((await new ApiClient(e.httpUrl).req('POST', '/api/access/people', { id: 'L101', name: 'x', roles: ['student'] })).status).toBe(401);
    // Timetables are the edge's own.
    const grade = e.access.people.gradeByName('初二')!;
    const tt = await api.req('PUT', '/api/access/timetables', {
      timetables: [{ gradeId: grade.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [] }],
    });
    expect(tt.status).toBe(200);
  }, 30_000);

  it("grade timetables from the cloud take the place of the edge's own for their grade and day; a clash, an unknown grade and a delete", async () => {
    const e = edge!;
    const MONDAY = '2026-11-23';
    const FRIDAY = '2026-11-27';
    const g2 = e.access.people.gradeByName('初二')!;
    // The edge's own timetable for 初二, with a lunch window.
    const own = await api.req('PUT', '/api/access/timetables', {
      timetables: [{ gradeId: g2.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [{ start: '11:50', end: '12:30', mayLeave: 'day_students' }] }],
    });
    expect(own.status).toBe(200);
    const invalidBefore = await invalidCount(e, 'timetable');
    const base = { entryStart: '07:20', lateAfter: '08:00', dismissalStart: '16:00', dismissalEnd: '17:00' };
    await cloud.write([
      { kind: 'timetable', key: 'tt-b', data: { grade: '初二', ...base } },
      // A second record for the same grade and day loses to the first by key.
      { kind: 'timetable', key: 'tt-c', data: { grade: '初二', ...base, lateAfter: '09:00' } },
      { kind: 'timetable', key: 'tt-fri', data: { grade: '初二', weekday: 5, ...base, dismissalStart: '15:00', dismissalEnd: '16:00' } },
      // A grade this edge has no class of yet.
      { kind: 'timetable', key: 'tt-g3', data: { grade: '初三', ...base, lateAfter: '07:45' } },
    ]);
    const monday = await waitFor(() => (e.access.calendar.schedule(g2.id, MONDAY)?.lateAfter === 8 * 60 ? e.access.calendar.schedule(g2.id, MONDAY) : undefined), 15_000, 50);
    // The edge's lunch window stays with the cloud's hours.
    expect(monday).toMatchObject({ entryStart: 7 * 60 + 20, dismissalStart: 16 * 60, lunch: [{ start: 11 * 60 + 50, end: 12 * 60 + 30, mayLeave: 'day_students' }] });
    expect(e.access.calendar.schedule(g2.id, FRIDAY)).toMatchObject({ lateAfter: 8 * 60, dismissalStart: 15 * 60 });
    expect(await invalidCount(e, 'timetable')).toBe(invalidBefore + 1);
    // The panel's calendar view shows what is in force: one 初二 default, the Friday, no duplicate.
    const view = await api.req('GET', '/api/access/calendar');
    expect(view.json.timetables.filter((t: { gradeId: number }) => t.gradeId === g2.id).map((t: { weekday: number | null; lateAfter: string }) => [t.weekday, t.lateAfter])).toEqual([
      [null, '08:00'],
      [5, '08:00'],
    ]);
    // 初三 waits for its first student.
    expect(e.access.people.gradeByName('初三')).toBeUndefined();
    await cloud.write([{ kind: 'person', key: 'S310', data: { name: '钱小川', roles: ['student'], classId: '初三-1班' } }]);
    const g3 = await waitFor(() => e.access.people.gradeByName('初三'), 15_000, 50);
    await waitFor(() => e.access.calendar.schedule(g3.id, MONDAY)?.lateAfter === 7 * 60 + 45, 15_000, 50);
    // Withdrawn in the cloud: the clash's loser takes the slot; withdrawn too, the edge's own comes back.
    await cloud.write([{ kind: 'timetable', key: 'tt-b', delete: true }]);
    await waitFor(() => e.access.calendar.schedule(g2.id, MONDAY)?.lateAfter === 9 * 60, 15_000, 50);
    await cloud.write([{ kind: 'timetable', key: 'tt-c', delete: true }]);
    await waitFor(() => e.access.calendar.schedule(g2.id, MONDAY)?.lateAfter === 7 * 60 + 30, 15_000, 50);
    expect(e.access.calendar.schedule(g2.id, FRIDAY)).toMatchObject({ dismissalStart: 15 * 60 });
  }, 60_000);

  it('a restart replays every cloud record, so local drift converges without new cloud writes', async () => {
    await edge!.stop();
    edge = null;
    // Drift while the edge was down (a projection that failed, a hand edit): undone at start.
    const db = new Database(join(dataDir, 'edge.db'));
    try {
      db.prepare("UPDATE access_persons SET name = '漂移', min_card_version = 1 WHERE id = 'S300'").run();
      db.prepare("DELETE FROM access_guardians WHERE student_id = 'S300'").run();
      db.prepare("INSERT INTO access_guardians (student_id, guardian_id, relation, may_pick_up, receives_notices) VALUES ('S301', 'G-ZHOU', 'other', 0, 0)").run();
    } finally {
      db.close();
    }
    edge = await boot();
    const e = edge;
    expect(e.access.people.get('S300')!.name).toBe('周小雨');
    // Cloud timetables live in memory and come back from the stored records.
    expect(e.access.calendar.schedule(e.access.people.gradeByName('初三')!.id, '2026-11-23')?.lateAfter).toBe(7 * 60 + 45);
    expect(e.access.calendar.schedule(e.access.people.gradeByName('初二')!.id, '2026-11-27')?.dismissalStart).toBe(15 * 60);
    expect(e.access.people.guardiansOf('S300').map((l) => l.guardianId)).toEqual(['G-ZHOU']);
    expect(e.access.people.guardiansOf('S301')).toEqual([]);
    expect(decide(e, issuer.card('S300', 1)).reason).toBe('credential.revoked');
    expect(decide(e, issuer.card('S300', 2)).granted).toBe(true);
  }, 60_000);
});

describe('standalone edge keeps its records writable', () => {
  it('accepts a local person when cloud sync is off', async () => {
    const dir = tempDir('campus-standalone-');
    const issuer = new TestIssuer('K1');
    issuer.install(join(dir.path, 'keys'));
    const e = await startEdge(
      {
        dataDir: dir.path,
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, gates: GATES, keysDir: join(dir.path, 'keys') },
      },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const api = new ApiClient(e.httpUrl);
      await api.login(ADMIN.username, ADMIN.password);
      const r = await api.req('POST', '/api/access/people', { id: 'L100', name: '本地新增', roles: ['student'] });
      expect(r.status).toBeLessThan(300);
      expect(e.access.people.get('L100')?.name).toBe('本地新增');
    } finally {
      await e.stop();
      dir.remove();
    }
  }, 30_000);
});
