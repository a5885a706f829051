import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '@campus/testkit';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { signedSend } from '../helpers/signed-request.js';

/**
 * The parent app's API: sign-in by phone and SMS code, and strict isolation: a guardian
 * reaches only their own children, on every route. Run on PGlite and PostgreSQL.
 */
export function parentContract(backend: Backend): void {
  describe(`parent app API on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let a: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let b: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    const ALICE = '13900000001'; // mother of a-stu in school A
    const BOB = '13900000002'; // father of b-stu in school B; same student key "same-key" exists in both schools
    const CAROL = '13900000003'; // teacher in A and parent in both schools
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
      a = await cloud.provisionEdge({ schoolName: '甲校', site: 'school-a' });
      b = await cloud.provisionEdge({ schoolName: '乙校', site: 'school-b' });
      const guardianship = (stu: string, g: string, receivesNotices = true) => ({ kind: 'guardianship' as const, key: `${stu}~${g}`, data: { studentId: stu, guardianId: g, relation: '家长', mayPickUp: true, receivesNotices } });
      await cloud.records.write(a.schoolId, [
        { kind: 'person', key: 'a-stu', data: { name: '甲学生', roles: ['student'] } },
        { kind: 'person', key: 'same-key', data: { name: '甲同名', roles: ['student'] } },
        { kind: 'person', key: 'alice', data: { name: 'Alice', roles: ['guardian'], phone: ALICE } },
        { kind: 'person', key: 'carol', data: { name: 'Carol', roles: ['teacher', 'guardian'], phone: CAROL } },
        // Written the way a school's spreadsheet keeps it.
        { kind: 'person', key: 'dave', data: { name: 'Dave', roles: ['guardian'], phone: '+86 139-0000-0004' } },
        guardianship('a-stu', 'alice'),
        guardianship('a-stu', 'dave'),
        guardianship('same-key', 'carol', false),
      ]);
      await cloud.records.write(b.schoolId, [
        { kind: 'person', key: 'same-key', data: { name: '乙同名', roles: ['student'] } },
        { kind: 'person', key: 'bob', data: { name: 'Bob', roles: ['guardian'], phone: BOB } },
        { kind: 'person', key: 'carol-b', data: { name: 'Carol', roles: ['guardian'], phone: CAROL } },
        guardianship('same-key', 'bob'),
        guardianship('same-key', 'carol-b'),
      ]);
      for (const [edge, site, stu] of [[a, 'school-a', 'a-stu'], [a, 'school-a', 'same-key'], [b, 'school-b', 'same-key']] as const) {
        const r = await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [gatePass(site, stu, 'in')] }));
        expect(r.status).toBe(200);
      }
      for (const p of [ALICE, BOB, CAROL]) tokens[p] = await signInGuardian(cloud.url, sms, p);
    });
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('sends a code only to registered guardians but answers the same either way', async () => {
      const before = sms.received.length;
      const r = await parentApi(cloud.url, null, 'POST', '/otp', { phone: '13999999999' });
      expect(r.status).toBe(202);
      expect(sms.received.length).toBe(before);
      expect((await parentApi(cloud.url, null, 'POST', '/otp', { phone: 'abc' })).status).toBe(400);
      expect((await parentApi(cloud.url, null, 'POST', '/otp', '{bad')).status).toBe(400);
    });

    it('signs in a guardian whichever way the number is written, in the roster and at sign-in', async () => {
      const before = sms.received.length;
      expect((await parentApi(cloud.url, null, 'POST', '/otp', { phone: '139 0000 0004' })).status).toBe(202);
      const msg = await waitFor(() => sms.received.slice(before).find((m) => m.body?.kind === 'otp'), 'the code SMS');
      expect(msg.body.to).toBe('13900000004');
      const code = /(\d{6})/.exec(String(msg.body.text))![1]!;
      const s = await parentApi(cloud.url, null, 'POST', '/session', { phone: '+86-139-0000-0004', code });
      expect(s.status).toBe(201);
      const me = (await parentApi(cloud.url, (s.json as { token: string }).token, 'GET', '/me')).json as { children: { studentKey: string }[] };
      expect(me.children.map((c) => c.studentKey)).toEqual(['a-stu']);
    });

    it('refuses a wrong code, locks after five tries, and rate-limits resends', async () => {
      await parentApi(cloud.url, null, 'POST', '/otp', { phone: ALICE });
      expect((await parentApi(cloud.url, null, 'POST', '/otp', { phone: ALICE })).status).toBe(429);
      const code = /(\d{6})/.exec(String(sms.received.filter((m) => m.body.to === ALICE).at(-1)!.body.text))![1]!;
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) expect((await parentApi(cloud.url, null, 'POST', '/session', { phone: ALICE, code: wrong })).status).toBe(401);
      expect((await parentApi(cloud.url, null, 'POST', '/session', { phone: ALICE, code })).status).toBe(401);
    });

    it('lists only the guardian\'s own children, across schools', async () => {
      const alice = (await parentApi(cloud.url, tokens[ALICE]!, 'GET', '/me')).json as { children: { schoolId: string; studentKey: string; name: string }[] };
      expect(alice.children.map((c) => `${c.schoolId}/${c.studentKey}`)).toEqual([`${a.schoolId}/a-stu`]);
      const bob = (await parentApi(cloud.url, tokens[BOB]!, 'GET', '/me')).json as typeof alice;
      expect(bob.children.map((c) => `${c.schoolId}/${c.studentKey}/${c.name}`)).toEqual([`${b.schoolId}/same-key/乙同名`]);
      const carol = (await parentApi(cloud.url, tokens[CAROL]!, 'GET', '/me')).json as typeof alice;
      expect(carol.children.map((c) => `${c.schoolId}/${c.studentKey}`).sort()).toEqual([`${a.schoolId}/same-key`, `${b.schoolId}/same-key`].sort());
    });

    it('serves a timeline only for the guardian\'s own child (other school with the same key is 404)', async () => {
      const own = await parentApi(cloud.url, tokens[BOB]!, 'GET', `/children/${b.schoolId}/same-key/timeline`);
      expect(own.status).toBe(200);
      expect((own.json as { entries: { direction: string }[] }).entries.map((e) => e.direction)).toEqual(['in']);
      expect((await parentApi(cloud.url, tokens[BOB]!, 'GET', `/children/${a.schoolId}/same-key/timeline`)).status).toBe(404);
      expect((await parentApi(cloud.url, tokens[BOB]!, 'GET', `/children/${a.schoolId}/a-stu/timeline`)).status).toBe(404);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'GET', `/children/${b.schoolId}/same-key/timeline`)).status).toBe(404);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'GET', `/children/${a.schoolId}/nobody/timeline`)).status).toBe(404);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'GET', `/children/${a.schoolId}/a-stu/timeline?limit=0`)).status).toBe(400);
    });

    it('shows only the guardian\'s own notices', async () => {
      const aliceNotices = await waitFor(async () => {
        const n = (await parentApi(cloud.url, tokens[ALICE]!, 'GET', '/notices')).json as { notices: { studentKey: string; schoolId: string; text: { 'zh-CN': string } }[] };
        return n.notices.length ? n.notices : null;
      }, 'alice notice');
      expect(aliceNotices.every((n) => n.studentKey === 'a-stu')).toBe(true);
      expect(aliceNotices[0]!.text['zh-CN']).toContain('甲学生');
      const bob = await waitFor(async () => {
        const n = (await parentApi(cloud.url, tokens[BOB]!, 'GET', '/notices')).json as { notices: { schoolId: string }[] };
        return n.notices.length ? n.notices : null;
      }, 'bob notice');
      expect(bob.every((n) => n.schoolId === b.schoolId)).toBe(true);
      // Carol receives notices only where the link says so (school B), not for school A's child.
      const carol = await waitFor(async () => {
        const n = (await parentApi(cloud.url, tokens[CAROL]!, 'GET', '/notices')).json as { notices: { schoolId: string }[] };
        return n.notices.length ? n.notices : null;
      }, 'carol notice');
      expect(carol.map((n) => n.schoolId)).toEqual([b.schoolId]);
    });

    it('lets a guardian remove only their own push subscription', async () => {
      const sub = { endpoint: 'https://push.example.test/sub/alice-1', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } };
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'POST', '/push/subscriptions', sub)).status).toBe(201);
      expect((await parentApi(cloud.url, tokens[BOB]!, 'DELETE', '/push/subscriptions', { endpoint: sub.endpoint })).status).toBe(404);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'DELETE', '/push/subscriptions', { endpoint: sub.endpoint })).status).toBe(204);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'POST', '/push/subscriptions', { endpoint: 'http://insecure.test/x', keys: sub.keys })).status).toBe(400);
    });

    it('validates preferences and keeps them per guardian', async () => {
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'PUT', '/preferences', { quietHours: { start: '25:00', end: '07:00' } })).status).toBe(400);
      const saved = await parentApi(cloud.url, tokens[ALICE]!, 'PUT', '/preferences', { quietHours: { start: '21:30', end: '07:00' } });
      expect(saved.status).toBe(200);
      expect((await parentApi(cloud.url, tokens[ALICE]!, 'GET', '/preferences')).json).toMatchObject({ quietHours: { start: '21:30', end: '07:00' } });
      expect((await parentApi(cloud.url, tokens[BOB]!, 'GET', '/preferences')).json).toMatchObject({ quietHours: null });
    });

    it('refuses every guardian route without a valid session', async () => {
      const routes: [string, string, unknown?][] = [
        ['GET', '/me'],
        ['GET', `/children/${a.schoolId}/a-stu/timeline`],
        ['GET', '/notices'],
        ['GET', '/preferences'],
        ['PUT', '/preferences', {}],
        ['POST', '/push/subscriptions', {}],
        ['DELETE', '/push/subscriptions', {}],
        ['DELETE', '/session'],
      ];
      for (const [method, path, body] of routes) {
        expect((await parentApi(cloud.url, null, method, path, body)).status, `${method} ${path}`).toBe(401);
        expect((await parentApi(cloud.url, 'x'.repeat(43), method, path, body)).status, `${method} ${path} bogus`).toBe(401);
      }
    });

    it('signs out: the token stops working', async () => {
      const t = await signInGuardian(cloud.url, sms, BOB);
      expect((await parentApi(cloud.url, t, 'DELETE', '/session')).status).toBe(204);
      expect((await parentApi(cloud.url, t, 'GET', '/me')).status).toBe(401);
    });

    it('serves the PWA: page, manifest, service worker with its scope, texts in zh-CN', async () => {
      const page = await fetch(cloud.url + '/parent/');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('lang="zh-CN"');
      expect(html).toContain('manifest.webmanifest');
      const sw = await fetch(cloud.url + '/parent/sw.js');
      expect(sw.headers.get('service-worker-allowed')).toBe('/parent/');
      expect(await sw.text()).toContain("addEventListener('push'");
      const manifest = (await (await fetch(cloud.url + '/parent/manifest.webmanifest')).json()) as { start_url: string };
      expect(manifest.start_url).toBe('/parent/');
      const texts = (await (await fetch(cloud.url + '/api/parent/messages')).json()) as Record<string, string>;
      expect(texts['parent.signin.title']).toBe('家长登录');
      const key = (await (await fetch(cloud.url + '/api/parent/push/vapid-key')).json()) as { publicKey: string };
      expect(Buffer.from(key.publicKey, 'base64url')).toHaveLength(65);
    });
  });
}
