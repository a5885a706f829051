import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIORITIES } from '@campus/protocol';
import { AccessDecisionDataSchema } from '@campus/protocol/access/index';
import { ADMIN, ApiClient, startTestEdge, tempDir, waitFor } from '../helpers/edge.js';
import { startCloudProcess } from './cloud-process.js';

/**
 * A real cloud process (PGlite) and a real edge: gate events flow up and become
 * guardian notices; cloud-owned records flow down into the edge. Records are written as
 * the school's own systems write them (its records key), notices read as its office does.
 */
describe('edge ↔ cloud sync', () => {
  const dir = tempDir('campus-sync-');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let edge: Awaited<ReturnType<typeof startTestEdge>>;

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'sync-test');
    edge = await startTestEdge({ site: { id: 'sync-test', name: '同步测试校区' }, cloud: { enabled: true, linkFile: cloud.linkFile } });
  }, 120_000);

  afterAll(async () => {
    await edge?.cleanup();
    await cloud?.stop();
    dir.remove();
  });

  it('sends a gate event at once and the cloud turns it into a guardian notice', async () => {
    await cloud.write([
      { kind: 'person', key: 'S2026001', data: { name: '李小红', roles: ['student'], classId: '7-2' } },
      { kind: 'person', key: 'G-li', data: { name: '李妈妈', roles: ['guardian'], phone: '13800138000' } },
      { kind: 'guardianship', key: 'S2026001:G-li', data: { studentId: 'S2026001', guardianId: 'G-li', relation: '母亲', mayPickUp: true, receivesNotices: true } },
    ]);
    // What the access domain writes for a card scan that opened the gate (checked against protocol's schema).
    const decision = AccessDecisionDataSchema.parse({
      granted: true, gate: 'east', gateNo: 1, gateName: '东门', zone: 'campus', zoneNo: 1, zoneKind: 'campus', direction: 'in', reader: 'east-in',
      personId: 'S2026001', personName: '李小红', className: '7-2', who: '李小红（7-2）', credentialKind: 'card', kid: 'k1', cardVersion: 1,
      passId: null, leaveId: null, overrideBy: null, overrideWhy: null, opened: 'pulsed', explanation: '李小红 通过 东门', suppressedBefore: 0,
    });
    const e = edge.appendEvent({ type: 'access.decision', reason: 'access.granted', priority: PRIORITIES.gate, source: 'gate-east', subject: 'S2026001', data: decision });
    const notices = await waitFor(
      async () => {
        const all = await cloud.guardianNotices();
        return all.some((n) => n.eventId === e.id) ? all : undefined;
      },
      20_000,
      200,
    );
    // The office sees it with the number masked.
    expect(notices.find((n) => n.eventId === e.id)).toMatchObject({ studentKey: 'S2026001', phone: '138****8000' });
    const status = await waitFor(async () => {
      const s = (await fetchStatus()) as { status: { backlog: number } | null } | null;
      return s?.status && s.status.backlog === 0 ? s.status : undefined;
    }, 10_000, 200);
    expect(status.backlog).toBe(0);
  }, 60_000);

  it('applies cloud-owned records on the edge within seconds (a revocation)', async () => {
    await cloud.write([{ kind: 'card', key: 'S2026001', data: { personId: 'S2026001', version: 2, revoked: false } }]);
    const row = await waitFor(() => edge.store.db.prepare("SELECT data FROM cloud_records WHERE kind = 'card' AND key = 'S2026001'").get() as { data: string } | undefined, 15_000, 100);
    expect(row.data).toMatch(/^ev1:/); // sealed at rest
    expect(JSON.parse(edge.store.vault.unseal(row.data))).toMatchObject({ version: 2 });
  }, 30_000);

  it('a USB policy written in the cloud becomes a signed policy version pushed by the edge, once', async () => {
    await cloud.write([{ kind: 'usb_policy', key: 'school-default', data: { target: { scope: 'all' }, content: { defaultAction: 'deny', note: '全校默认：禁止U盘' } } }]);
    await fetchStatus(); // signs in
    const policies = await waitFor(
      async () => {
        const r = await api!.req('GET', '/api/endpoints/policies');
        const list = (r.json?.policies ?? []) as Array<{ version: number; content: { note?: string } }>;
        const mine = list.filter((p) => p.content?.note === '全校默认：禁止U盘');
        return mine.length ? mine : undefined;
      },
      15_000,
      200,
    );
    expect(policies).toHaveLength(1);
    // A bad record is refused by the cloud (one schema, protocol's UsbPolicyRecordSchema), and the next good record still lands.
    const broken = await cloud.tryWrite([{ kind: 'usb_policy', key: 'broken', data: { target: { scope: 'nowhere' } } }]);
    expect(broken.status).toBe(400);
    expect(broken.text).toMatch(/target|content/);
    await cloud.write([{ kind: 'usb_policy', key: 'exam-week', data: { target: { scope: 'all' }, content: { defaultAction: 'deny', note: '考试周' } } }]);
    await waitFor(async () => {
      const r = await api!.req('GET', '/api/endpoints/policies');
      return ((r.json?.policies ?? []) as Array<{ content: { note?: string } }>).some((p) => p.content?.note === '考试周');
    }, 15_000, 200);
  }, 60_000);

  let api: ApiClient | null = null;
  async function fetchStatus(): Promise<unknown> {
    // Sign in once: every sign-in is itself an event that would join the backlog.
    if (!api) {
      api = new ApiClient(edge.httpUrl);
      await api.login(ADMIN.username, ADMIN.password);
    }
    return (await api.req('GET', '/api/sync/status')).json;
  }
});
