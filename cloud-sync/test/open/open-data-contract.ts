import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { RECORD_KINDS } from '@campus/protocol/sync/records';
import { attendanceEvent, makeEvent } from '@campus/testkit';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type Json, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { startReceiver } from './receiver.js';

const PW = 'open-data-password-1';

/**
 * Open data: API keys made and revoked by the school admin (secret shown once, stored
 * hashed), every use checked against scope and school, cursor pages over every record
 * kind and the stored events, PIPL-sensitive fields only with `sensitive`, exports and
 * sensitive reads audited, the OpenAPI document. PGlite and PostgreSQL.
 */
export function openDataContract(backend: Backend): void {
  describe(`open data API on ${backend.name}`, () => {
    let cloud: TestCloud;
    let A: string;
    let B: string;
    let edgeA: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let adminA: StaffClient;
    let adminB: StaffClient;
    let viewer: StaffClient;

    const open = async (key: string | null, path: string, method = 'GET', body?: unknown) => {
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${cloud.url}/api/open/v1${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const buf = Buffer.from(await res.arrayBuffer());
      let json: Json = null;
      if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(buf.toString('utf8'));
      return { status: res.status, json, buf, headers: res.headers };
    };
    const newKey = async (scopes: string[], c = adminA, school = A) => {
      const r = await c.call('POST', `/schools/${school}/api-keys`, { name: `key ${scopes.join('+')}`, scopes });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      return r.json as { id: string; key: string; scopes: string[] };
    };
    const auditRows = async (schoolId: string, action: string) =>
      (await cloud.db.query<{ actor_name: string; target: string; detail: Json }>('SELECT actor_name, target, detail FROM staff_audit WHERE school_id = $1 AND action = $2 ORDER BY id', [schoolId, action])).rows;
    const ingest = async (events: unknown[]) => {
      const r = await signedSend(cloud.url, edgeA.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json as { accepted: number; duplicates: number };
    };

    beforeAll(async () => {
      cloud = await startTestCloud(backend, { openData: { settleMs: 0 } });
      edgeA = await cloud.provisionEdge({ schoolName: '开放甲校', site: 'open-a' });
      A = edgeA.schoolId;
      B = (await cloud.provisionEdge({ schoolName: '开放乙校', site: 'open-b' })).schoolId;
      await cloud.records.write(A, [
        { kind: 'person', key: 'stu-1', data: { name: '张小明', roles: ['student'], classId: '三年级2班' } },
        { kind: 'person', key: 'mum-1', data: { name: '李芳', roles: ['guardian'], phone: '13800000001', wechatOpenId: 'wx-open-id-1' } },
        { kind: 'guardianship', key: 'g-1', data: { studentId: 'stu-1', guardianId: 'mum-1', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'leave', key: 'l-1', data: { personId: 'stu-1', from: 1, until: 2, reason: '发烧，医院复诊' } },
        { kind: 'visitor_pass', key: 'v-1', data: { name: '访客', phone: '13900000002', validFrom: 1, validUntil: 2 } },
        { kind: 'card', key: 'c-1', data: { personId: 'stu-1', version: 1, revoked: false } },
        { kind: 'calendar', key: 'cal-1', data: { date: '2026-09-01', kind: 'school_day' } },
        { kind: 'timetable', key: 'tt-3', data: { grade: '三年级', entryStart: '07:10', lateAfter: '07:50', dismissalStart: '16:20', dismissalEnd: '17:30' } },
        { kind: 'usb_policy', key: 'u-1', data: { target: { scope: 'all' }, content: { defaultAction: 'deny' } } },
        { kind: 'bus_vehicle', key: 'bv-1', data: { plate: '沪A12345', kind: 'primary', seats: 40, terminalPhone: '13912345678' } },
        { kind: 'bus_route', key: 'r1', data: { name: '1号线', vehicleId: 'bv-1', stops: [{ id: 'S1', name: '幸福小区', lat: 31.2, lon: 121.4 }, { id: 'SCH', name: '学校', lat: 31.21, lon: 121.41, depot: true }] } },
        { kind: 'bus_assignment', key: 'ba-1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'S1', direction: 'morning', from: '2026-09-01' } },
        { kind: 'bus_stop_change', key: 'bsc-1', data: { personId: 'stu-1', date: '2026-09-02', direction: 'afternoon', routeId: 'r1', stopId: 'SCH' } },
        { kind: 'pickup_person', key: 'pp-1', data: { studentId: 'stu-1', name: '王阿姨', relation: '保姆', phone: '13600000004', codeKey: 'A'.repeat(43) } },
        { kind: 'health_declaration', key: 'hd-stu-1', data: { personId: 'stu-1', date: '2026-09-01' } },
        { kind: 'health_policy', key: 'school', data: { requireDeclaration: true } },
        { kind: 'bus_trip', key: 'bt-1', data: { routeId: 'r1', date: '2026-09-01', direction: 'morning', vehicleId: 'bv-1', driverId: 'drv-1', attendantId: 'att-1' } },
      ]);
      await cloud.records.write(B, [{ kind: 'person', key: 'stu-b', data: { name: '乙校学生', roles: ['student'], phone: '13700000003' } }]);
      await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'open-admin-a', displayName: '甲校管理员', password: PW });
      await cloud.admin('POST', `/schools/${B}/accounts`, { username: 'open-admin-b', displayName: '乙校管理员', password: PW });
      const d = await cloud.admin('POST', '/districts', { name: '开放教育局', schoolIds: [A, B] });
      await cloud.admin('POST', `/districts/${d.json.id}/accounts`, { username: 'open-edu', displayName: '教育局', password: PW });
      adminA = await staffSignIn(cloud.url, 'open-admin-a', PW);
      adminB = await staffSignIn(cloud.url, 'open-admin-b', PW);
      const edu = await staffSignIn(cloud.url, 'open-edu', PW);
      expect((await edu.call('POST', '/accounts', { username: 'open-viewer', displayName: '查看', password: PW, roles: ['district_viewer'] })).status).toBe(201);
      viewer = await staffSignIn(cloud.url, 'open-viewer', PW);
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
    });

    it('shows a key once, stores only its hash, lists it without the secret, and refuses it once revoked', async () => {
      const k = await newKey(['records:read']);
      expect(k.key).toMatch(/^ok_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{40,}$/);
      const secret = k.key.split('.')[1]!;
      const stored = (await cloud.db.query<Json>('SELECT * FROM open_api_keys WHERE id = $1', [k.id])).rows[0];
      expect(JSON.stringify(stored)).not.toContain(secret);
      const list = await adminA.call('GET', `/schools/${A}/api-keys`);
      expect(list.json.keys.find((x: Json) => x.id === k.id)).toMatchObject({ name: 'key records:read', scopes: ['records:read'], revokedAt: null });
      expect(JSON.stringify(list.json)).not.toContain(secret);
      expect((await open(k.key, `/schools/${A}/records/person`)).status).toBe(200);
      // Wrong secret for a real id, garbage, and no key at all: 401 with a message in both languages.
      for (const bad of [`${k.id}.${'x'.repeat(43)}`, 'not-a-key', null]) {
        const r = await open(bad, `/schools/${A}/records/person`);
        expect(r.status).toBe(401);
        expect(r.json.error.message['zh-CN']).toMatch(/API 密钥/);
      }
      expect((await adminA.call('DELETE', `/schools/${A}/api-keys/${k.id}`)).status).toBe(204);
      const after = await open(k.key, `/schools/${A}/records/person`);
      expect(after.status).toBe(401);
      expect(after.json.error.code).toBe('open.error.key_invalid');
      expect((await auditRows(A, 'open.key.create')).some((r) => r.target === k.id)).toBe(true);
      expect((await auditRows(A, 'open.key.revoke')).some((r) => r.target === k.id)).toBe(true);
    });

    it('refuses a key used past its scope with 403 naming the scope, and a key of school A on school B', async () => {
      const rec = await newKey(['records:read']);
      const ev = await newKey(['events:read']);
      const pastEvents = await open(rec.key, `/schools/${A}/events`);
      expect(pastEvents.status).toBe(403);
      expect(pastEvents.json.error.code).toBe('open.error.scope');
      expect(pastEvents.json.error.message['zh-CN']).toContain('events:read');
      expect(pastEvents.json.error.message.en).toContain('events:read');
      expect((await open(ev.key, `/schools/${A}/records/person`)).status).toBe(403);
      for (const path of [`/schools/${A}/export/records/person?format=csv`, `/schools/${A}/export/records`, `/schools/${A}/export/events?from=0&to=1000`]) {
        const r = await open(rec.key, path);
        expect(r.status, path).toBe(403);
        expect(r.json.error.message.en).toContain('"export"');
      }
      // A sensitive-only key opens nothing by itself.
      expect((await open((await newKey(['sensitive'])).key, `/schools/${A}/records/person`)).status).toBe(403);
      const cross = await open(rec.key, `/schools/${B}/records/person`);
      expect(cross.status).toBe(403);
      expect(cross.json.error.code).toBe('open.error.school');
      expect(JSON.stringify(cross.json)).not.toContain('乙校学生');
      // B's admin cannot make or list keys of A; a district viewer cannot make any.
      expect((await adminB.call('POST', `/schools/${A}/api-keys`, { name: 'x', scopes: ['records:read'] })).status).toBe(404);
      expect((await adminB.call('GET', `/schools/${A}/api-keys`)).status).toBe(404);
      const v = await viewer.call('POST', `/schools/${A}/api-keys`, { name: 'x', scopes: ['records:read'] });
      expect(v.status).toBe(403);
      expect(v.json.error.code).toBe('staff.error.role');
      expect((await viewer.call('POST', `/schools/${A}/webhooks`, { url: 'https://example.org/hook', eventTypes: ['*'] })).status).toBe(403);
    });

    it('answers every open route for every scope as the scope table says (the API keys\' access matrix)', async () => {
      const range = `from=${Date.now() - 86_400_000}&to=${Date.now() + 60_000}`;
      // route → the scope that opens it; every other single-scope key gets 403, no key 401.
      let n = 0;
      const write = () => ({ records: [{ kind: 'calendar', key: `matrix-${++n}`, data: { date: '2026-10-01', kind: 'holiday', name: '国庆节' } }] });
      const ROUTES: [string, string, 'POST'?][] = [
        [`/schools/${A}/records`, 'records:write', 'POST'],
        [`/schools/${A}/records/person`, 'records:read'],
        [`/schools/${A}/records/person/stu-1`, 'records:read'],
        [`/schools/${A}/events`, 'events:read'],
        [`/schools/${A}/event-types`, 'events:read'],
        [`/schools/${A}/export/records`, 'export'],
        [`/schools/${A}/export/records/card?format=csv`, 'export'],
        [`/schools/${A}/export/events?${range}`, 'export'],
      ];
      const keys = new Map<string, string>();
      for (const scope of ['records:read', 'records:write', 'events:read', 'export', 'sensitive']) keys.set(scope, (await newKey([scope])).key);
      const failures: string[] = [];
      for (const [path, opens, method] of ROUTES) {
        const call = (key: string | null, at = path) => (method ? open(key, at, method, write()) : open(key, at));
        const anon = await call(null);
        if (anon.status !== 401) failures.push(`${path} without a key: ${anon.status}`);
        for (const [scope, key] of keys) {
          const r = await call(key);
          const want = scope === opens ? 200 : 403;
          if (r.status !== want) failures.push(`${path} with ${scope}: expected ${want}, got ${r.status}`);
          if (want === 403 && r.json?.error?.code !== 'open.error.scope') failures.push(`${path} with ${scope}: ${JSON.stringify(r.json)}`);
        }
        // The right scope on another school's path: 403, never B's data.
        const cross = await call(keys.get(opens)!, path.replace(A, B));
        if (cross.status !== 403 || cross.json?.error?.code !== 'open.error.school') failures.push(`${path} on school B: ${cross.status}`);
      }
      expect(failures).toEqual([]);
      // What the write key wrote is the matrix's own: gone again, so the paging case below sees the school's calendar as it was.
      await cloud.records.write(A, Array.from({ length: n }, (_, i) => ({ kind: 'calendar' as const, key: `matrix-${i + 1}`, delete: true as const })));
    });

    it('writes records with a `records:write` key: all or nothing, into the feed the edges follow, audited without contents', async () => {
      const w = await newKey(['records:write']);
      const before = (await cloud.records.changesAfter(A, 0, 100_000)).cursor;
      const ok = await open(w.key, `/schools/${A}/records`, 'POST', {
        records: [
          { kind: 'person', key: 'sis-1', data: { name: '教务同步', roles: ['student'], classId: '三年级2班', phone: '13500000009' } },
          { kind: 'card', key: 'sis-1', data: { personId: 'sis-1', version: 1, revoked: false } },
          { kind: 'calendar', key: 'sis-cal', data: { date: '2026-10-08', kind: 'makeup_day', name: '国庆调休' } },
        ],
      });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toEqual({ cursor: before + 3, written: 3 });
      const feedOf = async () => (await cloud.records.changesAfter(A, before, 100)).changes.map((c: Json) => `${c.kind}/${c.key}${c.op === 'delete' ? ' deleted' : ''}`);
      expect(await feedOf()).toEqual(['person/sis-1', 'card/sis-1', 'calendar/sis-cal']);
      const gone = await open(w.key, `/schools/${A}/records`, 'POST', { records: [{ kind: 'calendar', key: 'sis-cal', delete: true }] });
      expect(gone.json).toEqual({ cursor: before + 4, written: 1 });
      expect(await feedOf()).toEqual(['person/sis-1', 'card/sis-1', 'calendar/sis-cal deleted']);
      // One bad record refuses the whole batch, with the record named; nothing is stored.
      const bad = await open(w.key, `/schools/${A}/records`, 'POST', {
        records: [
          { kind: 'person', key: 'sis-2', data: { name: '好', roles: ['student'] } },
          { kind: 'person', key: 'sis-3', data: { name: '', roles: [] } },
        ],
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message.en).toContain('records[1] (person/sis-3)');
      expect(await cloud.records.get(A, 'person', 'sis-2')).toBeNull();
      for (const body of [{ records: [{ kind: 'nope', key: 'x', data: {} }] }, { records: [] }, { records: [{ kind: 'person', key: 'p~x', data: { name: 'x', roles: ['student'] } }] }, '{not json']) {
        expect((await open(w.key, `/schools/${A}/records`, 'POST', body)).status, JSON.stringify(body)).toBe(400);
      }
      // A read key cannot write, a write key cannot read, and neither reaches school B.
      expect((await open((await newKey(['records:read', 'sensitive'])).key, `/schools/${A}/records`, 'POST', { records: [{ kind: 'calendar', key: 'x', data: { date: '2026-10-01', kind: 'holiday' } }] })).status).toBe(403);
      expect((await open(w.key, `/schools/${A}/records/person/sis-1`)).status).toBe(403);
      expect((await open(w.key, `/schools/${B}/records`, 'POST', { records: [{ kind: 'person', key: 'x', data: { name: 'x', roles: ['student'] } }] })).json.error.code).toBe('open.error.school');
      const rows = await auditRows(A, 'open.records.write');
      expect(rows.slice(-2)).toMatchObject([
        { actor_name: `api-key key records:write (${w.id})`, target: null, detail: { records: 3, deletes: 0, kinds: { person: 1, card: 1, calendar: 1 } } },
        { target: 'calendar/sis-cal', detail: { records: 1, deletes: 1, kinds: { calendar: 1 } } },
      ]);
      expect(JSON.stringify(rows)).not.toContain('13500000009');
      expect(JSON.stringify(rows)).not.toContain('教务同步');
      // The admin token provisions; it writes and reads no records.
      expect((await cloud.admin('POST', `/schools/${A}/records`, { records: [{ kind: 'person', key: 'tok', data: { name: '令牌', roles: ['student'] } }] })).status).toBe(404);
      expect((await cloud.admin('GET', `/schools/${A}/records/person/sis-1`)).status).toBe(404);
      expect(await cloud.records.get(A, 'person', 'tok')).toBeNull();
    });

    it('reads every record kind, withholding sensitive fields unless the key has `sensitive` (then audited)', async () => {
      const plain = await newKey(['records:read']);
      const full = await newKey(['records:read', 'sensitive']);
      for (const kind of RECORD_KINDS) {
        const r = await open(plain.key, `/schools/${A}/records/${kind}`);
        expect(r.status, kind).toBe(200);
        expect(r.json.items.length, kind).toBeGreaterThan(0);
      }
      const people = (await open(plain.key, `/schools/${A}/records/person`)).json.items as Json[];
      const mum = people.find((p) => p.key === 'mum-1');
      expect(mum.data).toEqual({ name: '李芳', roles: ['guardian'], active: true });
      expect(mum.redacted.sort()).toEqual(['phone', 'wechatOpenId']);
      const leave = (await open(plain.key, `/schools/${A}/records/leave/l-1`)).json;
      expect(leave.data.reason).toBeUndefined();
      expect(leave.redacted).toEqual(['reason']);
      expect((await open(plain.key, `/schools/${A}/records/visitor_pass`)).json.items[0].data.phone).toBeUndefined();
      // A pickup person's phone is sensitive; the key their one-time pickup codes derive from is never given out.
      const pickup = (await open(plain.key, `/schools/${A}/records/pickup_person/pp-1`)).json;
      expect(pickup.data).toMatchObject({ name: '王阿姨', relation: '保姆' });
      expect(pickup.data.phone).toBeUndefined();
      expect(pickup.data.codeKey).toBeUndefined();
      expect((await open(full.key, `/schools/${A}/records/pickup_person/pp-1`)).json.data).toMatchObject({ phone: '13600000004' });
      expect((await open(full.key, `/schools/${A}/records/pickup_person/pp-1`)).json.data.codeKey).toBeUndefined();
      const before = (await auditRows(A, 'open.read.sensitive')).length;
      const fullMum = (await open(full.key, `/schools/${A}/records/person/mum-1`)).json;
      expect(fullMum.data.phone).toBe('13800000001');
      expect(fullMum.redacted).toEqual([]);
      const rows = await auditRows(A, 'open.read.sensitive');
      expect(rows.length).toBe(before + 1);
      expect(rows.at(-1)!.actor_name).toContain(full.id);
      expect((await open(plain.key, `/schools/${A}/records/nonsense`)).status).toBe(404);
      expect((await open(plain.key, `/schools/${A}/records/person?cursor=%%%`)).status).toBe(400);
      expect((await open(plain.key, `/schools/${A}/records/person?limit=5000`)).status).toBe(400);
    });

    it('pages records by cursor, each exactly once, and a saved cursor later yields only what changed', async () => {
      const k = await newKey(['records:read']);
      await cloud.records.write(A, Array.from({ length: 25 }, (_, i) => ({ kind: 'calendar' as const, key: `p-${String(i).padStart(2, '0')}`, data: { date: '2026-10-01', kind: 'holiday' as const } })));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      let last = '';
      do {
        const r = await open(k.key, `/schools/${A}/records/calendar?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...r.json.items.map((x: Json) => x.key));
        cursor = r.json.next;
        last = r.json.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual(['cal-1', ...Array.from({ length: 25 }, (_, i) => `p-${String(i).padStart(2, '0')}`)].sort());
      await cloud.records.write(A, [{ kind: 'calendar', key: 'p-07', data: { date: '2026-10-02', kind: 'school_day' } }, { kind: 'calendar', key: 'p-08', delete: true }]);
      const since = await open(k.key, `/schools/${A}/records/calendar?cursor=${last}&includeDeleted=true`);
      expect(since.json.items.map((x: Json) => [x.key, x.deleted])).toEqual([
        ['p-07', false],
        ['p-08', true],
      ]);
      expect(since.json.next).toBeNull();
    });

    it('pages stored events in arrival order with type filters, withholding sensitive data fields', async () => {
      const k = await newKey(['events:read']);
      const ks = await newKey(['events:read', 'sensitive']);
      const day = '2026-11-02';
      const batch = [
        ...Array.from({ length: 7 }, (_, i) => gatePass('open-a', `stu-${i}`, 'in')),
        attendanceEvent('open-a', 'stu-9', 'late', { day }),
        attendanceEvent('open-a', 'stu-8', 'absent', { day }),
        makeEvent('open-a', { type: 'access.pass', reason: 'access.pass', data: { visitor: '访客', visitorPhone: '13900000009', note: 'x' } }),
      ];
      expect((await ingest(batch)).accepted).toBe(batch.length);
      const got: Json[] = [];
      let cursor: string | null = null;
      do {
        const r = await open(k.key, `/schools/${A}/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        got.push(...r.json.items);
        cursor = r.json.next;
      } while (cursor);
      expect(got.map((e) => e.id).sort()).toEqual(batch.map((e) => e.id).sort());
      expect(new Set(got.map((e) => e.id)).size).toBe(batch.length);
      const pass = got.find((e) => e.type === 'access.pass');
      expect(pass.data).toEqual({ visitor: '访客', note: 'x' });
      expect(pass.redacted).toEqual(['visitorPhone']);
      const full = (await open(ks.key, `/schools/${A}/events?type=access.pass`)).json.items;
      expect(full).toHaveLength(1);
      expect(full[0].data.visitorPhone).toBe('13900000009');
      expect((await open(k.key, `/schools/${A}/events?type=attendance.*`)).json.items.map((e: Json) => e.type).sort()).toEqual(['attendance.absent', 'attendance.late']);
      expect((await open(k.key, `/schools/${A}/events?type=DROP TABLE`)).status).toBe(400);
      // A later batch comes after the saved cursor, even if it happened earlier (an edge back online).
      const saved = (await open(k.key, `/schools/${A}/events?limit=1000`)).json.cursor;
      const late = gatePass('open-a', 'stu-late', 'in', { occurredAt: Date.now() - 3 * 86_400_000 });
      await ingest([late]);
      const more = await open(k.key, `/schools/${A}/events?cursor=${saved}`);
      expect(more.json.items.map((e: Json) => e.id)).toEqual([late.id]);
      const types = await open(k.key, `/schools/${A}/event-types`);
      expect(types.json.types).toEqual(expect.arrayContaining(['access.decision', 'attendance.absent', 'energy.rollup.hour', 'usb.blocked']));
    });

    it('exports CSV and XLSX through the API and the console, audited before the file is sent, sensitive only when allowed', async () => {
      const k = await newKey(['export']);
      await ingest([gatePass('open-a', 'stu-x', 'in'), makeEvent('open-a', { type: 'access.pass', reason: 'access.pass', data: { visitorPhone: '13900000009' } })]);
      const before = (await auditRows(A, 'open.export')).length;
      const csv = await open(k.key, `/schools/${A}/export/records/person?format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename=".*person.*\.csv"/);
      const text = csv.buf.toString('utf8');
      expect(text.charCodeAt(0)).toBe(0xfeff);
      expect(text).toContain('李芳');
      expect(text).not.toContain('13800000001');
      expect(text.split('\r\n')[0]).toBe('\uFEFFkey,name,roles,classId,active,version,changedAt');
      const xlsx = await open(k.key, `/schools/${A}/export/records`);
      expect(xlsx.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.buf as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual([...RECORD_KINDS]);
      const leaveSheet = wb.getWorksheet('leave')!;
      expect((leaveSheet.getRow(1).values as unknown[]).includes('reason')).toBe(false);
      const events = await open(k.key, `/schools/${A}/export/events?from=${Date.now() - 30 * 86_400_000}&to=${Date.now() + 60_000}&type=access.*`);
      expect(events.status).toBe(200);
      expect(events.buf.toString('utf8')).toContain('access.decision');
      expect(events.buf.toString('utf8')).not.toContain('13900000009');
      const rows = await auditRows(A, 'open.export');
      expect(rows.length).toBe(before + 3);
      expect(rows.at(-3)!.detail).toMatchObject({ what: 'records', kind: 'person', format: 'csv', sensitive: false, redacted: ['person.phone', 'person.wechatOpenId'] });
      // The console: the admin asks for sensitive fields; the audit row says so.
      const res = await fetch(`${cloud.url}/api/staff/schools/${A}/exports`, {
        method: 'POST',
        headers: { cookie: adminA.cookie!, 'x-csrf-token': adminA.csrfToken!, 'content-type': 'application/json' },
        body: JSON.stringify({ what: 'records', kind: 'person', format: 'csv', sensitive: true }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('13800000001');
      const staffRow = (await auditRows(A, 'open.export')).at(-1)!;
      expect(staffRow.actor_name).toBe('open-admin-a');
      expect(staffRow.detail).toMatchObject({ kind: 'person', sensitive: true });
      // A bad range is a 400 with both languages, and nothing is audited for it.
      const n = (await auditRows(A, 'open.export')).length;
      const bad = await open(k.key, `/schools/${A}/export/events?from=5000&to=1000`);
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toContain('时间范围');
      expect((await auditRows(A, 'open.export')).length).toBe(n);
    });

    it('never sends a webhook to a name that resolves to a private address (checked at each attempt)', async () => {
      const rx = await startReceiver('ok');
      try {
        // As if a public name had been re-pointed at the cloud's own network after the subscription was made.
        await cloud.db.query(`INSERT INTO open_webhooks (id, school_id, url, event_types, secret, created_at) VALUES ('wh_ssrf', $1, $2, '{access.*}', 'whsec_x', 0)`, [A, rx.url.replace('127.0.0.1', 'localhost')]);
        const e = gatePass('open-a', 'stu-ssrf', 'in');
        await ingest([e]);
        const row = await waitFor(async () => (await cloud.db.query<Json>(`SELECT status, attempts, last_error FROM open_webhook_deliveries WHERE webhook_id = 'wh_ssrf'`)).rows.find((r) => r.attempts >= 1), 'first attempt');
        expect(row.status).toBe('pending');
        expect(row.last_error).toBe('localhost resolves to a private address: refused');
        expect(rx.received).toHaveLength(0);
      } finally {
        await cloud.db.query(`DELETE FROM open_webhooks WHERE id = 'wh_ssrf'`);
        await rx.close();
      }
    });

    it('serves an OpenAPI 3.1 document generated from the schemas, covering every record kind and the event feed', async () => {
      const r = await open(null, '/openapi.json');
      expect(r.status).toBe(200);
      expect(r.json.openapi).toBe('3.1.0');
      for (const kind of RECORD_KINDS) {
        const p = r.json.paths[`/api/open/v1/schools/{schoolId}/records/${kind}`];
        expect(p?.get?.['x-scope'], kind).toBe('records:read');
        expect(JSON.stringify(p.get.responses['200'])).toContain('"items"');
      }
      const w = r.json.paths['/api/open/v1/schools/{schoolId}/records'].post;
      expect(w['x-scope']).toBe('records:write');
      expect(JSON.stringify(w.requestBody)).toContain('"records"');
      const ev = r.json.paths['/api/open/v1/schools/{schoolId}/events'].get;
      expect(ev['x-scope']).toBe('events:read');
      expect(ev.parameters.map((x: Json) => x.name)).toEqual(expect.arrayContaining(['schoolId', 'cursor', 'limit', 'type', 'from', 'to']));
      expect(r.json.components.schemas.Event.properties.redacted).toBeDefined();
      expect(r.json.components.schemas['EventData_access_decision'].properties.granted).toBeDefined();
      // The staff side is in the cloud's own document.
      const staffDoc = await (await fetch(`${cloud.url}/api/openapi.json`)).json();
      expect(staffDoc.paths['/api/staff/schools/{schoolId}/api-keys'].post['x-audit']).toBe('open.key.create');
    });
  });
}
