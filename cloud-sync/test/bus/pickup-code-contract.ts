import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPickupCode, pickupCode, pickupCodeStep, PICKUP_CODE_STEP_MS } from '@campus/protocol/bus/pickup';
import { redactRecord } from '../../src/server/open/sensitive.js';
import type { Backend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { ROUTE } from './bus-fixtures.js';

const PW = 'pickup-code-pw-1';
const MOTHER = '13700000031';
const FATHER = '13700000032';
const STRANGER = '13700000039';
const B64_32 = /^[A-Za-z0-9_-]{43}$/;

/**
 * The one-time pickup code (接送码): the cloud derives every pickup person's codeKey from a
 * per-school secret on every write path, staff never read it, and the code the parent app
 * gets is the one the bus box accepts with its copy of the record from the change feed.
 */
export function pickupCodeContract(backend: Backend): void {
  describe(`pickup one-time code on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let school: string;
    let other: string;
    let mother: string;
    let stranger: string;
    let tm: StaffClient;
    /** The record as a bus box gets it: the latest change of that key in the feed. */
    const edgeCopy = async (schoolId: string, key: string) => {
      const page = await cloud.records.changesAfter(schoolId, 0, 10_000);
      const c = page.changes.filter((x) => x.kind === 'pickup_person' && x.key === key).at(-1);
      return c?.data as Record<string, unknown> | undefined;
    };
    const codes = (token: string, schoolId: string, child: string) => parentApi(cloud.url, token, 'GET', `/children/${schoolId}/${child}/pickup-code`);

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
      school = (await seedSchool(cloud, 'pickup-code-a', { mother: MOTHER, father: FATHER })).schoolId;
      other = (await seedSchool(cloud, 'pickup-code-b', { mother: STRANGER, father: '13700000038' })).schoolId;
      await cloud.records.write(school, [
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A54321', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
      ]);
      expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'pc-admin', displayName: '管理员', password: PW })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'pc-admin', PW);
      expect((await admin.call('POST', '/accounts', { username: 'pc-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'] })).status).toBe(201);
      tm = await staffSignIn(cloud.url, 'pc-tm', PW);
      mother = await signInGuardian(cloud.url, sms, MOTHER);
      stranger = await signInGuardian(cloud.url, sms, STRANGER);
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('derives codeKey on every write path, replaces a sent one, changes it with passVersion, and never shows it to staff or open data', async () => {
      // 1. The generic record write (admin API / RecordStore.write), with a forged codeKey that must not survive.
      const forged = 'A'.repeat(43);
      await cloud.records.write(school, [{ kind: 'pickup_person', key: 'pp-generic', data: { studentId: 'stu-1', name: '李芳', relation: '母亲', phone: MOTHER, codeKey: forged } }]);
      const g = await edgeCopy(school, 'pp-generic');
      expect(g?.codeKey).toMatch(B64_32);
      expect(g?.codeKey).not.toBe(forged);

      // 2. The transport manager's route.
      const put = await tm.call('PUT', `/schools/${school}/bus/pickup_person/pp-staff`, { data: { studentId: 'stu-1', name: '张爷爷', relation: '爷爷', phone: '13900000001' }, version: null });
      expect(put.status).toBe(200);
      expect(put.json.record.data.codeKey).toBeUndefined();
      const s0 = (await edgeCopy(school, 'pp-staff'))!.codeKey as string;
      expect(s0).toMatch(B64_32);
      // Staff reads (one and the list) never carry it.
      const one = await tm.call('GET', `/schools/${school}/bus/pickup_person/pp-staff`);
      expect(one.json.data.codeKey).toBeUndefined();
      const list = await tm.call('GET', `/schools/${school}/bus/pickup_person`);
      expect(list.json.records.length).toBe(2);
      for (const r of list.json.records) expect(r.data.codeKey).toBeUndefined();
      // Reissue: passVersion 1 gives a new key; the old key's codes are no longer the box's.
      const bump = await tm.call('PUT', `/schools/${school}/bus/pickup_person/pp-staff`, { data: { ...one.json.data, passVersion: 1 }, version: one.json.version });
      expect(bump.status).toBe(200);
      const s1 = (await edgeCopy(school, 'pp-staff'))!.codeKey as string;
      expect(s1).toMatch(B64_32);
      expect(s1).not.toBe(s0);
      const now = Date.now();
      expect(checkPickupCode(s1, 'stu-1', pickupCode(s0, 'stu-1', pickupCodeStep(now)), now)).not.toBe('ok');
      // An edit that keeps passVersion keeps the key (codes on screen stay good).
      const again = await tm.call('GET', `/schools/${school}/bus/pickup_person/pp-staff`);
      expect((await tm.call('PUT', `/schools/${school}/bus/pickup_person/pp-staff`, { data: { ...again.json.data, relation: '外公' }, version: again.json.version })).status).toBe(200);
      expect((await edgeCopy(school, 'pp-staff'))!.codeKey).toBe(s1);
      // A 409 (stale version) does not hand out the key either.
      const stale = await tm.call('PUT', `/schools/${school}/bus/pickup_person/pp-staff`, { data: again.json.data, version: again.json.version });
      expect(stale.status).toBe(409);
      expect(JSON.stringify(stale.json)).not.toContain(s1);

      // 3. A guardian's accepted pickup-person request.
      const req = await parentApi(cloud.url, mother, 'POST', '/bus-requests', { kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', phone: '13900000002' });
      expect(req.status).toBe(201);
      const dec = await tm.call('POST', `/schools/${school}/bus-requests/${req.json.request.id}/decision`, { decision: 'accept' });
      expect(dec.status).toBe(200);
      const accepted = await edgeCopy(school, dec.json.request.outcome.key as string);
      expect(accepted?.codeKey).toMatch(B64_32);

      // The same key in another school gets another codeKey (per-school secret).
      await cloud.records.write(other, [{ kind: 'pickup_person', key: 'pp-generic', data: { studentId: 'stu-1', name: '李芳', relation: '母亲', phone: MOTHER } }]);
      expect((await edgeCopy(other, 'pp-generic'))!.codeKey).not.toBe(g!.codeKey);

      // Open data and the PIPL export go through redactRecord: the key is gone even with the sensitive scope.
      for (const allowed of [false, true]) expect(redactRecord('pickup_person', g!, allowed).value.codeKey).toBeUndefined();
      // The secret itself stays in the settings table, one per school, and is not any codeKey.
      const secrets = await cloud.db.query<{ key: string }>(`SELECT key FROM settings WHERE key LIKE 'pickup_code_secret:%' ORDER BY key`);
      expect(secrets.rows.map((r) => r.key).sort()).toEqual([`pickup_code_secret:${school}`, `pickup_code_secret:${other}`].sort());
    });

    it("gives the guardian the current code of their own pickup record, which the box's copy accepts; none without a bus assignment; 404 for another family", async () => {
      // No bus assignment yet: nothing to show.
      const none = await codes(mother, school, 'stu-1');
      expect(none.status).toBe(200);
      expect(none.json).toMatchObject({ assigned: false, codes: [] });

      await cloud.records.write(school, [{ kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'a', direction: 'afternoon', from: '2026-01-01', handover: true } }]);
      const r = await codes(mother, school, 'stu-1');
      expect(r.status).toBe(200);
      expect(r.json.assigned).toBe(true);
      // Only the record with the mother's phone: not grandpa's, not grandma's.
      expect(r.json.codes.map((c: { key: string }) => c.key)).toEqual(['pp-generic']);
      const c = r.json.codes[0] as { code: string; from: number; next: number; until: number; name: string };
      expect(c.code).toMatch(/^\d{6}$/);
      expect(c.name).toBe('李芳');
      expect(c.next - c.from).toBe(PICKUP_CODE_STEP_MS);
      expect(c.until - c.from).toBe(2 * PICKUP_CODE_STEP_MS);
      expect(c.from).toBeLessThanOrEqual(r.json.now);
      expect(r.json.now).toBeLessThan(c.next);
      // The bus box, with its copy of the record from the change feed, accepts it at the door.
      const rec = (await edgeCopy(school, 'pp-generic'))!;
      expect(checkPickupCode(rec.codeKey as string, 'stu-1', c.code, Date.now())).toBe('ok');
      // The code is bound to the child: not good for another student id.
      expect(checkPickupCode(rec.codeKey as string, 'stu-2', c.code, Date.now())).not.toBe('ok');
      // Past its window it is expired, not ok.
      expect(checkPickupCode(rec.codeKey as string, 'stu-1', c.code, c.until + 1)).toBe('expired');

      // A record that has expired (validUntil in the past) gives no code.
      const expiredAt = Date.now() - 1000;
      await cloud.records.write(school, [{ kind: 'pickup_person', key: 'pp-old', data: { studentId: 'stu-1', name: '李芳', relation: '母亲', phone: MOTHER, validUntil: expiredAt } }]);
      expect((await codes(mother, school, 'stu-1')).json.codes.map((x: { key: string }) => x.key)).toEqual(['pp-generic']);

      // Another family's guardian, and a child of no one: 404, the same answer.
      for (const child of ['stu-1', 'ghost']) {
        const x = await codes(stranger, school, child);
        expect(x.status).toBe(404);
        expect(x.json.error.message['zh-CN']).toBeTruthy();
      }
      // No session.
      expect((await parentApi(cloud.url, 'not-a-token', 'GET', `/children/${school}/stu-1/pickup-code`)).status).toBe(401);
    });
  });
}
