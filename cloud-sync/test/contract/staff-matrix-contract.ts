import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { openSse } from '../helpers/sse.js';
import { StaffClient, staffSignIn, type StaffAnswer } from '../helpers/staff-client.js';
import { STAFF_ACCESS_MATRIX, WHO, expected, type Who } from './staff-access-matrix.js';

const PW = 'matrix-password-1';
const C1 = '二年级1班';

interface Env {
  cloud: TestCloud;
  /** School in every caller's reach, and one in nobody's. */
  school: string;
  prepSchool: StaffClient;
  prepDistrict: StaffClient;
  n: () => number;
}
interface Call {
  path: string;
  body?: unknown;
  /** Signed-in callers use this client instead of a fresh session of their own. */
  client?: StaffClient;
}
/**
 * A staff client for a live (server-sent events) route: an allowed call answers 200 with a
 * stream that never ends by itself, so it reads the first `update` and hangs up.
 */
class StreamProbe extends StaffClient {
  static of(c: StaffClient): StreamProbe {
    return Object.assign(new StreamProbe(c.baseUrl), { cookie: c.cookie, csrfToken: c.csrfToken, account: c.account });
  }
  override async call(method: string, path: string): Promise<StaffAnswer> {
    if (method !== 'GET') return super.call(method, path);
    const s = await openSse(`${this.baseUrl}/api/staff${path}`, this.cookie ? { cookie: this.cookie } : {});
    if (s.status !== 200) {
      s.close();
      return super.call(method, path); // a refusal is plain JSON: read it the ordinary way
    }
    const first = await s.next(() => true, 10_000);
    s.close();
    return { status: s.status, json: first as StaffAnswer['json'], headers: new Headers({ 'content-type': s.contentType ?? '' }) };
  }
}
const districtSide = (who: Who) => who === 'district_admin' || who === 'district_viewer';

/** One valid request per route, for a caller `who` whose (fresh) session is `me`. */
const FIXTURES: Record<string, (who: Who, me: StaffClient | null, env: Env) => Promise<Call>> = {
  'POST /session/code': async () => ({ path: '/session/code', body: { phone: '13800009999' } }),
  'POST /session': async (_who, _me, env) => ({ path: '/session', body: { username: 'm-login', password: PW }, client: new StaffClient(env.cloud.url) }),
  'GET /session': async () => ({ path: '/session' }),
  'DELETE /session': async () => ({ path: '/session' }),
  'PUT /session/password': async () => ({ path: '/session/password', body: { currentPassword: PW, newPassword: PW } }),
  'GET /schools': async () => ({ path: '/schools' }),
  'GET /accounts': async () => ({ path: '/accounts' }),
  'POST /accounts': async (who, _me, env) => ({ path: '/accounts', body: { username: `new-${env.n()}`, displayName: '新账号', password: PW, roles: [districtSide(who) ? 'district_viewer' : 'teacher'] } }),
  'GET /accounts/:accountId': async (_who, me) => ({ path: `/accounts/${me?.account?.id ?? 'acct_x'}` }),
  'PATCH /accounts/:accountId': async (who, _me, env) => {
    const v = await victim(who, env);
    return { path: `/accounts/${v.id}`, body: { version: v.version, displayName: '改名' } };
  },
  'PUT /accounts/:accountId/password': async (who, _me, env) => ({ path: `/accounts/${(await victim(who, env)).id}/password`, body: { password: 'another-password-2' } }),
  'DELETE /accounts/:accountId': async (who, _me, env) => ({ path: `/accounts/${(await victim(who, env)).id}` }),
  'GET /audit': async () => ({ path: '/audit' }),
  'GET /schools/:schoolId/edges': async (_who, _me, env) => ({ path: `/schools/${env.school}/edges` }),
  'GET /schools/:schoolId/edges/live': async (_who, me, env) => ({ path: `/schools/${env.school}/edges/live`, client: me ? StreamProbe.of(me) : new StreamProbe(env.cloud.url) }),
  'GET /schools/:schoolId/roster/:kind': async (_who, _me, env) => ({ path: `/schools/${env.school}/roster/person` }),
  'GET /schools/:schoolId/roster/:kind/:key': async (_who, _me, env) => ({ path: `/schools/${env.school}/roster/person/stu` }),
  'PUT /schools/:schoolId/roster/:kind/:key': async (_who, _me, env) => ({
    path: `/schools/${env.school}/roster/calendar/m-${env.n()}`,
    body: { data: { date: '2026-09-01', kind: 'school_day', entryBy: '08:00' }, version: null },
  }),
  'DELETE /schools/:schoolId/roster/:kind/:key': async (_who, _me, env) => {
    const key = `m-${env.n()}`;
    const version = await env.cloud.records.write(env.school, [{ kind: 'calendar', key, data: { date: '2026-09-02', kind: 'holiday' } }]);
    return { path: `/schools/${env.school}/roster/calendar/${key}?version=${version}` };
  },
  'GET /schools/:schoolId/usb-policies': async (_who, _me, env) => ({ path: `/schools/${env.school}/usb-policies` }),
  'PUT /schools/:schoolId/usb-policies/:key': async (_who, _me, env) => ({ path: `/schools/${env.school}/usb-policies/m-${env.n()}`, body: { data: { target: { scope: 'all' }, content: { defaultAction: 'deny' } }, version: null } }),
  'DELETE /schools/:schoolId/usb-policies/:key': async (_who, _me, env) => {
    const key = `m-${env.n()}`;
    const version = await env.cloud.records.write(env.school, [{ kind: 'usb_policy', key, data: { target: { scope: 'all' }, content: { defaultAction: 'deny' } } }]);
    return { path: `/schools/${env.school}/usb-policies/${key}?version=${version}` };
  },
  // M-CARD is seeded in both schools (a card id is upper case); a print makes its card record once.
  'POST /schools/:schoolId/card-sheets': async (_who, _me, env) => ({ path: `/schools/${env.school}/card-sheets`, body: { personIds: ['M-CARD'] } }),
  'POST /schools/:schoolId/roster-import': async (_who, _me, env) => ({
    path: `/schools/${env.school}/roster-import`,
    body: { fileName: 'roster.csv', contentBase64: Buffer.from(`学号,姓名,年级,班级\nM${env.n()},导入,二年级,1班\n`).toString('base64') },
  }),
  'GET /schools/:schoolId/bus/:kind': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus/bus_vehicle` }),
  'GET /schools/:schoolId/bus-people': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-people` }),
  'GET /schools/:schoolId/bus/:kind/:key': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus/bus_vehicle/bv` }),
  'PUT /schools/:schoolId/bus/:kind/:key': async (_who, _me, env) => ({
    path: `/schools/${env.school}/bus/pickup_person/m-${env.n()}`,
    body: { data: { studentId: 'stu', name: '王阿姨', relation: '外婆' }, version: null },
  }),
  'DELETE /schools/:schoolId/bus/:kind/:key': async (_who, _me, env) => {
    const key = `m-${env.n()}`;
    const version = await env.cloud.records.write(env.school, [{ kind: 'pickup_person', key, data: { studentId: 'stu', name: '王阿姨', relation: '外婆' } }]);
    return { path: `/schools/${env.school}/bus/pickup_person/${key}?version=${version}` };
  },
  'GET /schools/:schoolId/bus-alarms': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-alarms` }),
  'POST /schools/:schoolId/bus-alarms/:alarmId/ack': async (_who, _me, env) => {
    const id = randomUUID();
    await env.cloud.db.query(
      `INSERT INTO bus_alarms (school_id, id, kind, text_zh, text_en, occurred_at, created_at) VALUES ($1, $2, 'check_missed', '未清点', 'not checked', 1, 1) ON CONFLICT DO NOTHING`,
      [env.school, id],
    );
    return { path: `/schools/${env.school}/bus-alarms/${id}/ack` };
  },
  'GET /schools/:schoolId/bus-requests': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-requests` }),
  'GET /schools/:schoolId/bus-photos/:photoId': async (_who, _me, env) => {
    const id = `bp_m${env.n()}`;
    await env.cloud.db.query(`INSERT INTO bus_photos (school_id, id, mime, data_b64, created_at) VALUES ($1, $2, 'image/png', 'iVBORw0KGgo=', 1)`, [env.school, id]);
    return { path: `/schools/${env.school}/bus-photos/${id}` };
  },
  'POST /schools/:schoolId/bus-requests/:requestId/decision': async (_who, _me, env) => {
    const id = `br_m${env.n()}`;
    await env.cloud.db.query(
      `INSERT INTO bus_requests (id, school_id, student_key, kind, applicant_phone, applicant_name, detail, status, created_at) VALUES ($1, $2, 'stu', 'pickup_person', '13800000000', '家长', '{"name":"王阿姨","relation":"外婆","phone":null,"photoId":null}', 'pending', 1)`,
      [id, env.school],
    );
    return { path: `/schools/${env.school}/bus-requests/${id}/decision`, body: { decision: 'reject', note: '矩阵测试' } };
  },
  'GET /schools/:schoolId/bus-fleet': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-fleet` }),
  'GET /schools/:schoolId/bus-reports': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-reports?from=2026-09-01&until=2026-09-30` }),
  'GET /schools/:schoolId/bus-reports/:tripId': async (_who, _me, env) => {
    await env.cloud.db.query(
      `INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
       SELECT $1, $2::uuid, 'matrix-a', 'edge', 'bus.trip', $3, $3, true, 'bus.trip.opened', 'info', 2, 'bus', NULL, '{"tripId":"m-trip","routeId":"r","direction":"morning","date":"2026-09-01"}'::jsonb
       WHERE NOT EXISTS (SELECT 1 FROM events WHERE school_id = $1 AND id = $2::uuid)`,
      [env.school, '01890000-0000-7000-8000-000000000001', Date.now()],
    );
    return { path: `/schools/${env.school}/bus-reports/m-trip` };
  },
  'GET /schools/:schoolId/bus-report-export': async (_who, _me, env) => ({ path: `/schools/${env.school}/bus-report-export?from=2026-09-01&until=2026-09-30` }),
  'GET /schools/:schoolId/classes/:classId/students': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/students` }),
  'PUT /schools/:schoolId/classes/:classId/leaves/:leaveKey': async (_who, _me, env) => ({
    path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/leaves/m-${env.n()}`,
    body: { personId: 'stu', from: Date.now(), until: Date.now() + 3600_000 },
  }),
  'DELETE /schools/:schoolId/classes/:classId/leaves/:leaveKey': async (_who, _me, env) => {
    const key = `m-${env.n()}`;
    await env.cloud.records.write(env.school, [{ kind: 'leave', key, data: { personId: 'stu', from: Date.now(), until: Date.now() + 3600_000 } }]);
    return { path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/leaves/${key}` };
  },
  'GET /schools/:schoolId/api-keys': async (_who, _me, env) => ({ path: `/schools/${env.school}/api-keys` }),
  'POST /schools/:schoolId/api-keys': async (_who, _me, env) => ({ path: `/schools/${env.school}/api-keys`, body: { name: `m-${env.n()}`, scopes: ['records:read'] } }),
  'DELETE /schools/:schoolId/api-keys/:keyId': async (_who, _me, env) => {
    const k = await env.cloud.openData.keys.create(env.cloud.db, env.school, { name: `m-${env.n()}`, scopes: ['records:read'] }, { id: null, name: 'matrix' });
    return { path: `/schools/${env.school}/api-keys/${k.id}` };
  },
  'GET /schools/:schoolId/webhooks': async (_who, _me, env) => ({ path: `/schools/${env.school}/webhooks` }),
  'POST /schools/:schoolId/webhooks': async (_who, _me, env) => ({ path: `/schools/${env.school}/webhooks`, body: { url: `https://hooks.example.org/m-${env.n()}`, eventTypes: ['access.*'] } }),
  'PATCH /schools/:schoolId/webhooks/:webhookId': async (_who, _me, env) => {
    const w = await newHook(env);
    return { path: `/schools/${env.school}/webhooks/${w.id}`, body: { version: w.version, status: 'paused' } };
  },
  'DELETE /schools/:schoolId/webhooks/:webhookId': async (_who, _me, env) => ({ path: `/schools/${env.school}/webhooks/${(await newHook(env)).id}` }),
  'GET /schools/:schoolId/webhooks/:webhookId/deliveries': async (_who, _me, env) => ({ path: `/schools/${env.school}/webhooks/${(await newHook(env)).id}/deliveries` }),
  'POST /schools/:schoolId/exports': async (_who, _me, env) => ({ path: `/schools/${env.school}/exports`, body: { what: 'records', kind: 'person', format: 'csv' } }),
  'GET /district/report': async () => ({ path: '/district/report' }),
  'GET /district/report/export': async () => ({ path: '/district/report/export' }),
  'POST /district/rollup/rebuild': async () => ({ path: '/district/rollup/rebuild', body: {} }),
  'GET /schools/:schoolId/leave-requests': async (_who, _me, env) => ({ path: `/schools/${env.school}/leave-requests?status=pending` }),
  'POST /schools/:schoolId/leave-requests': async (_who, _me, env) => ({
    path: `/schools/${env.school}/leave-requests`,
    body: { studentKey: 'stu', kind: 'early_exit', from: Date.now(), until: Date.now() + 3600_000, reasonKind: 'illness', reason: `m-${env.n()}` },
  }),
  'POST /schools/:schoolId/leave-requests/:requestId/decision': async (_who, _me, env) => {
    // A pending application of a student of C1, as a guardian's would be.
    const id = `lr_m${env.n()}`;
    await env.cloud.db.query(
      `INSERT INTO hs_leave_requests (id, school_id, student_key, class_id, kind, from_at, until_at, reason_kind, applicant_phone, applicant_name, status, created_at)
       VALUES ($1, $2, 'stu', $3, 'leave', $4, $5, 'illness', '13800000000', '家长', 'pending', $4)`,
      [id, env.school, C1, Date.now(), Date.now() + 3600_000],
    );
    return { path: `/schools/${env.school}/leave-requests/${id}/decision`, body: { approve: true } };
  },
  'GET /schools/:schoolId/leave-stats': async (_who, _me, env) => ({ path: `/schools/${env.school}/leave-stats?from=0&until=${Date.now() + 86_400_000}` }),
  'PUT /schools/:schoolId/classes/:classId/deputy': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/deputy`, body: { accountId: null } }),
  'PUT /schools/:schoolId/staff-absences/:accountId': async (_who, _me, env) => ({ path: `/schools/${env.school}/staff-absences/${env.prepSchool.account.id}`, body: { from: 0, until: 0 } }),
  'GET /schools/:schoolId/visit-requests': async (_who, _me, env) => ({ path: `/schools/${env.school}/visit-requests` }),
  'POST /schools/:schoolId/visit-requests/:requestId/decision': async (_who, _me, env) => {
    const id = `vr_m${env.n()}`;
    await env.cloud.db.query(
      `INSERT INTO hs_visit_requests (id, school_id, applicant_phone, visitor_name, host_key, purpose, from_at, until_at, status, created_at)
       VALUES ($1, $2, '13800000000', '访客', 'T1', '家长会', $3, $4, 'pending', $3)`,
      [id, env.school, Date.now(), Date.now() + 3600_000],
    );
    return { path: `/schools/${env.school}/visit-requests/${id}/decision`, body: { approve: true } };
  },
  'GET /schools/:schoolId/visits/pass-key': async (_who, _me, env) => ({ path: `/schools/${env.school}/visits/pass-key` }),
  'PUT /schools/:schoolId/visits/places': async (_who, _me, env) => ({ path: `/schools/${env.school}/visits/places`, body: { zones: [1] } }),
  'GET /schools/:schoolId/classes/:classId/roll-call': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/roll-call` }),
  'PUT /schools/:schoolId/classes/:classId/roll-call': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/roll-call`, body: { present: ['stu'] } }),
  'GET /session/push-subscriptions': async () => ({ path: '/session/push-subscriptions' }),
  'PUT /session/push-subscriptions': async (_who, _me, env) => ({ path: '/session/push-subscriptions', body: { endpoint: `https://push.example.com/m-${env.n()}`, keys: { p256dh: 'BPmatrixmatrixmatrixkey', auth: 'matrixauth' } } }),
  'DELETE /session/push-subscriptions': async () => ({ path: '/session/push-subscriptions' }),
  'GET /schools/:schoolId/staff-notices': async (_who, _me, env) => ({ path: `/schools/${env.school}/staff-notices` }),
  'GET /schools/:schoolId/guardian-notices': async (_who, _me, env) => ({ path: `/schools/${env.school}/guardian-notices` }),
  'GET /schools/:schoolId/classes/:classId/health': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/health` }),
  'PUT /schools/:schoolId/classes/:classId/health-checks': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/health-checks`, body: { checks: [{ studentKey: 'stu', temperature: 36.5 }] } }),
  'GET /schools/:schoolId/health/summary': async (_who, _me, env) => ({ path: `/schools/${env.school}/health/summary` }),
  'GET /schools/:schoolId/health/undeclared': async (_who, _me, env) => ({ path: `/schools/${env.school}/health/undeclared` }),
  'PUT /schools/:schoolId/health/policy': async (_who, _me, env) => ({ path: `/schools/${env.school}/health/policy`, body: { requireDeclaration: false } }),
  'PUT /schools/:schoolId/students/:studentKey/medical': async (_who, _me, env) => ({ path: `/schools/${env.school}/students/stu/medical`, body: { allergies: '花生' } }),
  'POST /schools/:schoolId/students/:studentKey/medical/read': async (_who, _me, env) => ({ path: `/schools/${env.school}/students/stu/medical/read`, body: { reason: '矩阵测试' } }),
  'GET /schools/:schoolId/students/:studentKey/medical/reads': async (_who, _me, env) => ({ path: `/schools/${env.school}/students/stu/medical/reads` }),
  'POST /schools/:schoolId/students/:studentKey/export': async (_who, _me, env) => ({ path: `/schools/${env.school}/students/stu/export` }),
  'POST /schools/:schoolId/students/:studentKey/erase': async (_who, _me, env) => {
    // A student of its own for each erasure (the other routes keep using 'stu').
    const key = `m-${env.n()}`;
    await env.cloud.records.write(env.school, [{ kind: 'person', key, data: { name: '待删除', roles: ['student'], classId: C1 } }]);
    return { path: `/schools/${env.school}/students/${key}/erase`, body: { confirmKey: key } };
  },
  'GET /home/alerts': async () => ({ path: '/home/alerts' }),
  'POST /home/guardian-session': async () => ({ path: '/home/guardian-session' }),
  'POST /schools/:schoolId/home/notices': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/notices`, body: { scope: 'class', target: C1, title: `m-${env.n()}`, body: '通知', publish: false } }),
  'GET /schools/:schoolId/home/notices': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/notices` }),
  'POST /schools/:schoolId/home/notices/:noticeId/files': async (_who, _me, env) => ({
    path: `/schools/${env.school}/home/notices/${await matrixNotice(env, false)}/files?kind=image&name=a.png`,
    body: PNG_1PX,
  }),
  'DELETE /schools/:schoolId/home/notices/:noticeId': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/notices/${await matrixNotice(env, false)}` }),
  'POST /schools/:schoolId/home/notices/:noticeId/publish': async (_who, _me, env) => {
    // A guardian of the class's student, so that the notice has someone to reach.
    await env.cloud.records.write(env.school, [
      { kind: 'person', key: 'm-guardian', data: { name: '家长', roles: ['guardian'], phone: '13800007777' } },
      { kind: 'guardianship', key: 'm-guardianship', data: { studentId: 'stu', guardianId: 'm-guardian', relation: '母亲', mayPickUp: true, receivesNotices: true } },
    ]);
    return { path: `/schools/${env.school}/home/notices/${await matrixNotice(env, false)}/publish` };
  },
  'GET /schools/:schoolId/home/notices/:noticeId/files/:fileId': async (_who, _me, env) => {
    const id = await matrixNotice(env, true);
    const fileId = `nf_m${env.n()}`;
    await env.cloud.db.query(`INSERT INTO hs_notice_files (id, notice_id, kind, name, mime, size, sha256, content, created_at) VALUES ($1, $2, 'image', 'a.png', 'image/png', $3, 'x', $4, 1)`, [fileId, id, PNG_1PX.length, PNG_1PX]);
    return { path: `/schools/${env.school}/home/notices/${id}/files/${fileId}` };
  },
  'GET /schools/:schoolId/home/notices/:noticeId/receipts': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/notices/${await matrixNotice(env, true)}/receipts` }),
  'POST /schools/:schoolId/home/notices/:noticeId/remind': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/notices/${await matrixNotice(env, true)}/remind` }),
  'GET /home/threads': async () => ({ path: '/home/threads' }),
  'GET /home/threads/:threadId': async (_who, me, env) => ({ path: `/home/threads/${await matrixThread(env, me)}` }),
  'POST /home/threads/:threadId/messages': async (_who, me, env) => ({ path: `/home/threads/${await matrixThread(env, me)}/messages`, body: { body: '收到' } }),
  'GET /schools/:schoolId/classes/:classId/info': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/info` }),
  'PUT /schools/:schoolId/classes/:classId/teachers': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/teachers`, body: { teachers: [] } }),
  'PUT /schools/:schoolId/classes/:classId/timetable': async (_who, _me, env) => ({
    path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/timetable`,
    body: { periods: [{ weekday: 1, period: 1, subject: '语文' }] },
  }),
  'PUT /schools/:schoolId/home/rules': async (_who, _me, env) => ({ path: `/schools/${env.school}/home/rules`, body: { body: '按时到校' } }),
  'POST /schools/:schoolId/classes/:classId/forms': async (_who, _me, env) => ({
    path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/forms`,
    body: { title: `m-${env.n()}`, fields: [{ id: 'go', label: '参加', type: 'yesno' }] },
  }),
  'GET /schools/:schoolId/classes/:classId/forms': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/forms` }),
  'GET /schools/:schoolId/classes/:classId/forms/:formId': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/forms/${await matrixForm(env)}` }),
  'GET /schools/:schoolId/classes/:classId/forms/:formId/export': async (_who, _me, env) => ({ path: `/schools/${env.school}/classes/${encodeURIComponent(C1)}/forms/${await matrixForm(env)}/export` }),
};

/** A 1×1 PNG (a real image, as the upload check wants). */
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** A class notice of C1 written by nobody among the callers (draft, or published with no recipients). */
async function matrixNotice(env: Env, published: boolean): Promise<string> {
  const id = `nt_m${env.n()}`;
  await env.cloud.db.query(
    `INSERT INTO hs_notices (id, school_id, scope, target, title, body, author_account, author_name, created_at, published_at) VALUES ($1, $2, 'class', $3, '通知', '正文', 'acct_nobody', '某老师', 1, $4)`,
    [id, env.school, C1, published ? 1 : null],
  );
  return id;
}

/** A conversation of the caller with a guardian (any signed-in account may have one; anonymous callers get a made-up id). */
async function matrixThread(env: Env, me: StaffClient | null): Promise<string> {
  const id = `th_m${env.n()}`;
  if (!me?.account) return id;
  await env.cloud.db.query(
    `INSERT INTO hs_threads (id, school_id, student_key, teacher_account, guardian_phone, guardian_name, created_at, last_at) VALUES ($1, $2, 'stu', $3, $4, '家长', 1, 1)`,
    [id, env.school, me.account.id, `1380000${String(env.n()).padStart(4, '0')}`],
  );
  return id;
}

async function matrixForm(env: Env): Promise<string> {
  const id = `fm_m${env.n()}`;
  await env.cloud.db.query(
    `INSERT INTO hs_forms (id, school_id, class_id, title, fields, author_account, author_name, created_at) VALUES ($1, $2, $3, '回执', '[{"id":"go","label":"参加","type":"yesno","required":true}]', 'acct_nobody', '某老师', 1)`,
    [id, env.school, C1],
  );
  return id;
}

/** A webhook subscription of the school, made directly (the fixture of the routes that act on one). */
function newHook(env: Env) {
  return env.cloud.openData.webhooks.create(env.cloud.db, env.school, { url: `https://hooks.example.org/m-${env.n()}`, eventTypes: ['access.*'], description: '', sensitive: false });
}

/** A throwaway account in the caller's home (its school or district), made by that home's admin. */
async function victim(who: Who, env: Env): Promise<{ id: string; version: number }> {
  const admin = districtSide(who) ? env.prepDistrict : env.prepSchool;
  const r = await admin.call('POST', '/accounts', { username: `victim-${env.n()}`, displayName: '临时', password: PW, roles: [districtSide(who) ? 'district_viewer' : 'nurse'] });
  if (r.status !== 201) throw new Error(`victim: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/**
 * Every staff route × every role, from the data in staff-access-matrix.ts; then every
 * school and class route against a school outside every caller's reach. Each allowed
 * write by a signed-in caller leaves exactly its audit row.
 */
export function staffMatrixContract(backend: Backend): void {
  describe(`staff access matrix on ${backend.name}`, () => {
    let cloud: TestCloud;
    let env: Env;
    let other: string;
    let counter = 0;
    const usernames = new Map<Who, string>();

    beforeAll(async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      cloud = await startTestCloud(backend, { cards: { kid: 'M1', privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() } });
      const school = (await cloud.provisionEdge({ schoolName: '矩阵学校', site: 'matrix-a' })).schoolId;
      other = (await cloud.provisionEdge({ schoolName: '外校', site: 'matrix-b' })).schoolId;
      for (const s of [school, other])
        await cloud.records.write(s, [
          { kind: 'person', key: 'stu', data: { name: '学生', roles: ['student'], classId: C1 } },
          { kind: 'person', key: 'M-CARD', data: { name: '打印', roles: ['student'], classId: C1 } },
          { kind: 'bus_vehicle', key: 'bv', data: { plate: '沪A00001', seats: 40 } },
        ]);
      await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'prep-school', displayName: '准备', password: PW });
      const d = await cloud.admin('POST', '/districts', { name: '矩阵教育局', schoolIds: [school] });
      await cloud.admin('POST', `/districts/${d.json.id}/accounts`, { username: 'prep-district', displayName: '准备', password: PW });
      env = { cloud, school, prepSchool: await staffSignIn(cloud.url, 'prep-school', PW), prepDistrict: await staffSignIn(cloud.url, 'prep-district', PW), n: () => ++counter };
      expect((await env.prepSchool.call('POST', '/accounts', { username: 'm-login', displayName: '登录', password: PW, roles: ['teacher'] })).status).toBe(201);
      for (const who of WHO) {
        if (who === 'anonymous') continue;
        const username = `m-${who.replace(/_/g, '-')}`;
        const admin = districtSide(who) ? env.prepDistrict : env.prepSchool;
        const r = await admin.call('POST', '/accounts', { username, displayName: who, password: PW, roles: [who], ...(who === 'head_teacher' ? { classes: [C1] } : {}) });
        expect(r.status, `create ${who}`).toBe(201);
        usernames.set(who, username);
      }
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
    });

    it('has a matrix row and a fixture for every route, and no row without a route', () => {
      const routes = cloud.staffRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
      expect(Object.keys(STAFF_ACCESS_MATRIX).sort()).toEqual(routes);
      expect(Object.keys(FIXTURES).sort()).toEqual(routes);
      for (const row of Object.values(STAFF_ACCESS_MATRIX)) expect(row).toHaveLength(WHO.length);
    });

    /** One session per caller, except for the routes that end sessions: those get a fresh one. */
    const sessions = new Map<Who, StaffClient>();
    const ENDS_SESSIONS = new Set(['DELETE /session', 'PUT /session/password']);
    const session = async (who: Who, key = '') => {
      if (who === 'anonymous') return new StaffClient(cloud.url);
      if (ENDS_SESSIONS.has(key)) {
        sessions.delete(who); // a password change ends the caller's other sessions
        return staffSignIn(cloud.url, usernames.get(who)!, PW);
      }
      let c = sessions.get(who);
      if (!c) sessions.set(who, (c = await staffSignIn(cloud.url, usernames.get(who)!, PW)));
      return c;
    };
    const auditCount = async (accountId: string, action: string) =>
      (await cloud.db.query<{ n: number }>('SELECT count(*) AS n FROM staff_audit WHERE actor_id = $1 AND action = $2', [accountId, action])).rows[0]!.n;

    it('gives every role on every route what the matrix says, auditing each allowed write', async () => {
      const failures: string[] = [];
      for (const route of cloud.staffRoutes) {
        const key = `${route.method.toUpperCase()} ${route.path}`;
        for (const who of WHO) {
          const me = await session(who, key);
          const call = await FIXTURES[key]!(who, who === 'anonymous' ? null : me, env);
          const client = call.client ?? me;
          const before = me.account && route.audit ? await auditCount(me.account.id, route.audit) : 0;
          const r = await client.call(route.method.toUpperCase(), call.path, call.body);
          const want = expected(key, who);
          const got = r.status >= 200 && r.status < 300 ? 'ok' : r.status;
          if (got !== want) failures.push(`${key} as ${who}: expected ${want}, got ${r.status} ${JSON.stringify(r.json)}`);
          if (got !== 'ok' && typeof r.json?.error?.message?.['zh-CN'] !== 'string') failures.push(`${key} as ${who}: refusal without a zh-CN message`);
          if (me.account && route.audit && route.scope !== 'public') {
            const after = await auditCount(me.account.id, route.audit);
            if (after - before !== (got === 'ok' ? 1 : 0)) failures.push(`${key} as ${who}: ${after - before} audit rows for a ${got} answer`);
          }
        }
      }
      expect(failures).toEqual([]);
    }, 480_000);

    it("answers 404 on every school and class route for a school outside the caller's reach, changing nothing", async () => {
      const failures: string[] = [];
      await cloud.records.write(other, [{ kind: 'leave', key: 'keep-me', data: { personId: 'stu', from: 1, until: Date.now() + 3600_000 } }]);
      const feedBefore = (await cloud.records.changesAfter(other, 0, 1000)).cursor;
      for (const route of cloud.staffRoutes.filter((r) => r.scope === 'school' || r.scope === 'class')) {
        const key = `${route.method.toUpperCase()} ${route.path}`;
        for (const who of WHO) {
          const me = await session(who);
          const call = await FIXTURES[key]!(who, me, { ...env, school: other });
          const path = route.method === 'delete' && route.path.includes(':leaveKey') ? call.path.replace(/[^/]+$/, 'keep-me') : call.path;
          const r = await me.call(route.method.toUpperCase(), path, call.body);
          const want = who === 'anonymous' ? 401 : 404;
          if (r.status !== want) failures.push(`${key} on another school as ${who}: expected ${want}, got ${r.status}`);
        }
      }
      expect(failures).toEqual([]);
      // The fixtures' own writes went through cloud.records (DELETE preparation); no staff write reached the other school.
      const changes = (await cloud.records.changesAfter(other, feedBefore, 1000)).changes;
      expect(changes.every((c) => c.op === 'upsert' && c.key.startsWith('m-'))).toBe(true);
      expect(await cloud.records.get(other, 'leave', 'keep-me')).not.toBeNull();
      const staffRows = await cloud.db.query(`SELECT 1 FROM staff_audit WHERE school_id = $1`, [other]);
      expect(staffRows.rows).toEqual([]);
    }, 480_000);
  });
}
