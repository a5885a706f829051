import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/server/index.js';
import { StaffRouter, authorize } from '../../src/server/staff/access.js';
import { StaffAudit } from '../../src/server/staff/audit.js';
import { DEFAULT_STAFF_AUTH, StaffAuth, type Principal } from '../../src/server/staff/staff-auth.js';
import type { StaffRole } from '../../src/server/staff/roles.js';

const principal = (over: Partial<Principal>): Principal => ({
  accountId: 'acct_1',
  username: 'u',
  displayName: 'U',
  personKey: null,
  schoolId: 'sch_a',
  districtId: null,
  roles: ['teacher'],
  classes: [],
  schools: ['sch_a'],
  csrfToken: 'csrf-1',
  tokenHash: 'h',
  ...over,
});
const status = (fn: () => void): number | 'ok' => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { status: number }).status;
  }
};

/** The one access decision, case by case, in the order it checks. */
describe('staff authorize()', () => {
  const classWrite = { method: 'put' as const, scope: 'class' as const, roles: ['school_admin', 'head_teacher'] as StaffRole[] };

  it('asks for a session, then the CSRF token, then the school, then the role, then the class', () => {
    const ht = principal({ roles: ['head_teacher'], classes: ['c1'] });
    expect(status(() => authorize(classWrite, null, { schoolId: 'sch_a', classId: 'c1' }, 'csrf-1'))).toBe(401);
    expect(status(() => authorize(classWrite, ht, { schoolId: 'sch_b', classId: 'c1' }, undefined))).toBe(403); // CSRF first: nothing learnt about sch_b
    expect(status(() => authorize(classWrite, ht, { schoolId: 'sch_b', classId: 'c1' }, 'csrf-1'))).toBe(404);
    expect(status(() => authorize(classWrite, ht, { schoolId: 'sch_a', classId: 'c2' }, 'csrf-1'))).toBe(403);
    expect(status(() => authorize(classWrite, ht, { schoolId: 'sch_a', classId: 'c1' }, 'csrf-1'))).toBe('ok');
    expect(status(() => authorize(classWrite, principal({ roles: ['nurse'] }), { schoolId: 'sch_a', classId: 'c1' }, 'csrf-1'))).toBe(403);
    // A school-wide role reaches every class.
    expect(status(() => authorize(classWrite, principal({ roles: ['school_admin', 'head_teacher'], classes: ['c1'] }), { schoolId: 'sch_a', classId: 'c9' }, 'csrf-1'))).toBe('ok');
  });

  it('never lets a read-only role write, even where a route would allow it', () => {
    const viewer = principal({ schoolId: null, districtId: 'd1', roles: ['district_viewer'], schools: ['sch_a'] });
    const loose = { method: 'put' as const, scope: 'school' as const, roles: ['district_viewer'] as StaffRole[] };
    expect(status(() => authorize(loose, viewer, { schoolId: 'sch_a' }, 'csrf-1'))).toBe(403);
    expect(status(() => authorize({ ...loose, method: 'get' }, viewer, { schoolId: 'sch_a' }, undefined))).toBe('ok');
    expect(status(() => authorize({ ...loose, method: 'get' }, viewer, { schoolId: 'sch_b' }, undefined))).toBe(404);
  });

  it('checks the CSRF token on self-service writes but asks nothing else there', () => {
    const self = { method: 'delete' as const, scope: 'self' as const, roles: [] };
    expect(status(() => authorize(self, principal({}), {}, 'other'))).toBe(403);
    expect(status(() => authorize(self, principal({ roles: ['district_viewer'] }), {}, 'csrf-1'))).toBe('ok');
    expect(status(() => authorize({ method: 'post', scope: 'public', roles: [] }, null, {}, undefined))).toBe('ok');
  });
});

describe('staff route declarations', () => {
  let db: Database;
  let router: StaffRouter;
  beforeAll(async () => {
    db = await openDatabase({});
    const audit = new StaffAudit();
    router = new StaffRouter({ db, audit, auth: new StaffAuth(db, audit, async () => undefined, { ...DEFAULT_STAFF_AUTH, now: Date.now }) });
  });
  afterAll(async () => {
    await db.close();
  });

  it('refuses at start-up a write without an audit action, a read-only role on a write, a scope without its path parameter, and a route declared twice', () => {
    const h = () => undefined;
    expect(() => router.add({ method: 'put', path: '/x', summary: 'x', scope: 'home', roles: ['school_admin'], handler: h })).toThrow(/audit action/);
    expect(() => router.add({ method: 'put', path: '/schools/:schoolId/x', summary: 'x', scope: 'school', roles: ['district_viewer'], audit: 'x', handler: h })).toThrow(/read-only/);
    expect(() => router.add({ method: 'get', path: '/x', summary: 'x', scope: 'school', roles: ['it'], handler: h })).toThrow(/:schoolId/);
    expect(() => router.add({ method: 'get', path: '/schools/:schoolId/x', summary: 'x', scope: 'class', roles: ['it'], handler: h })).toThrow(/:classId/);
    expect(() => router.add({ method: 'get', path: '/y', summary: 'y', scope: 'home', handler: h })).toThrow(/roles/);
    router.add({ method: 'get', path: '/z', summary: 'z', scope: 'self', handler: h });
    expect(() => router.add({ method: 'get', path: '/z', summary: 'z', scope: 'self', handler: h })).toThrow(/twice/);
    expect(router.routes()).toEqual([{ method: 'get', path: '/z', scope: 'self', roles: [], audit: null }]);
  });
});
