import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { signInGuardian } from '../helpers/parent-client.js';
import { staffSignIn } from '../helpers/staff-client.js';

const PW = 'guardian-matrix-pw-1';
const MUM = '13900000101'; // guardian of s1
const OTHER = '13900000102'; // guardian of s2 only: "a guardian of another child"
const NAME = '欧阳小一';
const C1 = '六年级1班';

type Who = 'anonymous' | 'guardian' | 'other';
type Outcome = 'ok' | 401 | 404;
interface Call {
  method: string;
  /** Under /api (parent/… or home/…). */
  path: string;
  body?: unknown;
}
interface Env {
  schoolId: string;
  n: () => number;
  /** A pending leave application of s1, made by its guardian. */
  pendingLeave(): Promise<string>;
  /** An approved visit of s1's guardian (its pass QR exists). */
  visitId: string;
}

/**
 * Every route of the guardians' app API (/api/parent and /api/home/guardian) for an
 * anonymous caller, the child's own guardian and the guardian of another child. Routes
 * about a child (or an application of its guardian) answer the other guardian 404; the
 * others answer both guardians, and the other guardian's answer never carries the child's
 * name or key. Sign-in routes (otp, code, session) are public and covered by their own tests.
 */
// prettier-ignore
const MATRIX: Record<string, { outcomes: readonly [anonymous: Outcome, guardian: Outcome, other: Outcome]; call: (env: Env, who: Who) => Promise<Call> | Call }> = {
  'GET /parent/me':                                       { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/parent/me' }) },
  'GET /parent/children/:s/:k/timeline':                  { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/parent/children/${e.schoolId}/s1/timeline` }) },
  'GET /parent/children/:s/:k/bus':                       { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/parent/children/${e.schoolId}/s1/bus` }) },
  'GET /parent/children/:s/:k/pickup-code':               { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/parent/children/${e.schoolId}/s1/pickup-code` }) },
  'GET /parent/notices':                                  { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/parent/notices' }) },
  'GET /parent/preferences':                              { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/parent/preferences' }) },
  'PUT /parent/preferences':                              { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'PUT', path: '/parent/preferences', body: { kinds: { entry: true, exit: true, late: true, absence: true, board: true, alight: true }, channels: { webpush: true, sms: false, wechat: false }, quietHours: null } }) },
  'GET /home/guardian/requests':                          { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/home/guardian/requests' }) },
  'POST /home/guardian/requests':                         { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'POST', path: '/home/guardian/requests', body: { schoolId: e.schoolId, studentKey: 's1', kind: 'leave', from: Date.now(), until: Date.now() + 3600_000, reasonKind: 'personal', reason: `m${e.n()}` } }) },
  'POST /home/guardian/requests/:id/cancel':              { outcomes: [401, 'ok', 404],  call: async (e) => ({ method: 'POST', path: `/home/guardian/requests/${await e.pendingLeave()}/cancel` }) },
  'GET /home/guardian/alerts':                            { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/home/guardian/alerts' }) },
  'GET /home/guardian/visits':                            { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/home/guardian/visits' }) },
  'GET /home/guardian/visits/:id/qr.svg':                 { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/home/guardian/visits/${e.visitId}/qr.svg` }) },
  'GET /home/guardian/health':                            { outcomes: [401, 'ok', 'ok'], call: () => ({ method: 'GET', path: '/home/guardian/health' }) },
  'POST /home/guardian/health/declarations':              { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'POST', path: '/home/guardian/health/declarations', body: { schoolId: e.schoolId, studentKey: 's1', temperature: 36.6 } }) },
  'GET /home/guardian/children/:s/:k/medical':            { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/home/guardian/children/${e.schoolId}/s1/medical` }) },
  'PUT /home/guardian/children/:s/:k/medical':            { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'PUT', path: `/home/guardian/children/${e.schoolId}/s1/medical`, body: { allergies: '芒果', consent: true } }) },
  'GET /home/guardian/children/:s/:k/medical/reads':      { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/home/guardian/children/${e.schoolId}/s1/medical/reads` }) },
  'GET /home/guardian/children/:s/:k/export':             { outcomes: [401, 'ok', 404],  call: (e) => ({ method: 'GET', path: `/home/guardian/children/${e.schoolId}/s1/export` }) },
};

export function guardianMatrixContract(backend: Backend): void {
  describe(`guardian access matrix on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let env: Env;
    let counter = 0;
    const tokens: Record<Exclude<Who, 'anonymous'>, string> = { guardian: '', other: '' };

    const call = async (who: Who, c: Call) => {
      const res = await fetch(`${cloud.url}/api${c.path}`, {
        method: c.method,
        headers: { 'content-type': 'application/json', ...(who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]}` }) },
        ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
      });
      return { status: res.status, text: await res.text() };
    };

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
      const schoolId = (await cloud.provisionEdge({ schoolName: '监护人矩阵学校', site: 'g-matrix' })).schoolId;
      await cloud.records.write(schoolId, [
        { kind: 'person', key: 's1', data: { name: NAME, roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's2', data: { name: '别家孩子', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 'mum', data: { name: '欧阳妈妈', roles: ['guardian'], phone: MUM } },
        { kind: 'person', key: 'dad2', data: { name: '别家爸爸', roles: ['guardian'], phone: OTHER } },
        { kind: 'person', key: 't1', data: { name: '矩阵老师', roles: ['teacher'] } },
        { kind: 'guardianship', key: 's1.mum', data: { studentId: 's1', guardianId: 'mum', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'guardianship', key: 's2.dad2', data: { studentId: 's2', guardianId: 'dad2', relation: '父亲', mayPickUp: true, receivesNotices: true } },
      ]);
      tokens.guardian = await signInGuardian(cloud.url, sms, MUM);
      tokens.other = await signInGuardian(cloud.url, sms, OTHER);
      expect((await cloud.admin('POST', `/schools/${schoolId}/accounts`, { username: 'gm-admin', displayName: '管理员', password: PW })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'gm-admin', PW);
      const v = await call('guardian', { method: 'POST', path: '/home/guardian/visits', body: { schoolId, hostKey: 't1', purpose: '面谈', from: Date.now(), until: Date.now() + 3600_000 } });
      expect(v.status, v.text).toBe(201);
      const visitId = JSON.parse(v.text).id as string;
      expect((await admin.call('POST', `/schools/${schoolId}/visit-requests/${visitId}/decision`, { approve: true })).status).toBe(200);
      env = {
        schoolId,
        n: () => ++counter,
        visitId,
        async pendingLeave() {
          const r = await call('guardian', { method: 'POST', path: '/home/guardian/requests', body: { schoolId, studentKey: 's1', kind: 'leave', from: Date.now(), until: Date.now() + 3600_000, reasonKind: 'family', reason: `p${++counter}` } });
          return JSON.parse(r.text).id as string;
        },
      };
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it("answers every guardian route as the matrix says; another child's guardian never sees this child", async () => {
      const failures: string[] = [];
      for (const [route, row] of Object.entries(MATRIX)) {
        for (const [i, who] of (['anonymous', 'guardian', 'other'] as const).entries()) {
          const r = await call(who, await row.call(env, who));
          const got: Outcome | number = r.status >= 200 && r.status < 300 ? 'ok' : r.status;
          const want = row.outcomes[i];
          if (got !== want) failures.push(`${route} as ${who}: expected ${want}, got ${r.status} ${r.text.slice(0, 200)}`);
          if (got !== 'ok' && !/"zh-CN":"[^"]+"/.test(r.text)) failures.push(`${route} as ${who}: refusal without a zh-CN message`);
          if (who === 'other' && (r.text.includes(NAME) || r.text.includes('"s1"') || r.text.includes('芒果'))) failures.push(`${route} as other: the child leaks: ${r.text.slice(0, 200)}`);
        }
      }
      expect(failures).toEqual([]);
      // What the other guardian was refused left nothing behind.
      expect((await cloud.db.query(`SELECT 1 FROM hs_leave_requests WHERE applicant_phone = $1`, [OTHER])).rows).toEqual([]);
      expect((await cloud.db.query(`SELECT 1 FROM hs_health_declarations WHERE guardian_phone = $1`, [OTHER])).rows).toEqual([]);
      expect((await cloud.db.query(`SELECT entered_by FROM hs_medical_notes`)).rows).toEqual([{ entered_by: MUM }]);
    }, 120_000);
  });
}
