import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIORITIES } from '@campus/protocol';
import { AccessDecisionDataSchema } from '@campus/protocol/access/index';
import { ADMIN, ApiClient, startTestEdge, tempDir, waitFor } from '../helpers/edge.js';

const CLOUD_BIN = new URL('../../../cloud-sync/dist/bin/campus-cloud.js', import.meta.url).pathname;

interface Link {
  cloudUrl: string;
  adminToken: string;
  schoolId: string;
  credentials: { edgeId: string; keyId: string; privateKey: string };
}

/**
 * A real cloud process (PGlite) and a real edge: gate events flow up and become
 * guardian notices; cloud-owned records flow down into the edge.
 */
describe('edge ↔ cloud sync', () => {
  const dir = tempDir('campus-sync-');
  let cloud: ChildProcessWithoutNullStreams;
  let link: Link;
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${link.cloudUrl}${path}`, { ...init, headers: { authorization: `Bearer ${link.adminToken}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  beforeAll(async () => {
    const linkFile = join(dir.path, 'cloud-link.json');
    cloud = spawn(process.execPath, [CLOUD_BIN, 'start'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CAMPUS_CLOUD_DATA_DIR: join(dir.path, 'cloud'), CAMPUS_CLOUD_DEMO: '1', CAMPUS_CLOUD_DEMO_SITE: 'sync-test', CAMPUS_CLOUD_DEMO_FILE: linkFile },
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      cloud.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"listening"')) resolve();
      });
      cloud.once('exit', (code) => reject(new Error(`cloud exited ${code}: ${out}`)));
    });
    link = JSON.parse(readFileSync(linkFile, 'utf8')) as Link;
    edge = await startTestEdge({ site: { id: 'sync-test', name: '同步测试校区' }, cloud: { enabled: true, linkFile } });
  }, 120_000);

  afterAll(async () => {
    await edge?.cleanup();
    if (cloud && cloud.exitCode === null) {
      const exited = new Promise((r) => cloud.once('exit', r));
      cloud.kill('SIGTERM');
      const t = setTimeout(() => cloud.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    dir.remove();
  });

  it('sends a gate event at once and the cloud turns it into a guardian notice', async () => {
    const w = await admin(`/api/admin/schools/${link.schoolId}/records`, {
      method: 'POST',
      body: JSON.stringify({
        records: [
          { kind: 'person', key: 'S2026001', data: { name: '李小红', roles: ['student'], classId: '7-2' } },
          { kind: 'person', key: 'G-li', data: { name: '李妈妈', roles: ['guardian'], phone: '13800138000' } },
          { kind: 'guardianship', key: 'S2026001:G-li', data: { studentId: 'S2026001', guardianId: 'G-li', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        ],
      }),
    });
    expect(w.status).toBe(200);
    // What the access domain writes for a card scan that opened the gate (checked against protocol's schema).
    const decision = AccessDecisionDataSchema.parse({
      granted: true, gate: 'east', gateNo: 1, gateName: '东门', zone: 'campus', zoneNo: 1, zoneKind: 'campus', direction: 'in', reader: 'east-in',
      personId: 'S2026001', personName: '李小红', className: '7-2', who: '李小红（7-2）', credentialKind: 'card', kid: 'k1', cardVersion: 1,
      passId: null, leaveId: null, overrideBy: null, overrideWhy: null, opened: 'pulsed', explanation: '李小红 通过 东门', suppressedBefore: 0,
    });
    const e = edge.appendEvent({ type: 'access.decision', reason: 'access.granted', priority: PRIORITIES.gate, source: 'gate-east', subject: 'S2026001', data: decision });
    const notices = await waitFor(
      async () => {
        const r = await admin(`/api/admin/schools/${link.schoolId}/notices`);
        const body = (await r.json()) as { notices?: Array<{ eventId?: string; event_id?: string; textZh?: string; text_zh?: string }> };
        return body.notices?.filter((n) => (n.eventId ?? n.event_id) === e.id).length ? body.notices : undefined;
      },
      20_000,
      200,
    );
    expect(notices.length).toBeGreaterThan(0);
    const status = await waitFor(async () => {
      const s = (await fetchStatus()) as { status: { backlog: number } | null } | null;
      return s?.status && s.status.backlog === 0 ? s.status : undefined;
    }, 10_000, 200);
    expect(status.backlog).toBe(0);
  }, 60_000);

  it('applies cloud-owned records on the edge within seconds (a revocation)', async () => {
    const put = await admin(`/api/admin/schools/${link.schoolId}/records/card/S2026001`, { method: 'PUT', body: JSON.stringify({ personId: 'S2026001', version: 2, revoked: false }) });
    expect(put.status).toBe(200);
    const row = await waitFor(() => edge.store.db.prepare("SELECT data FROM cloud_records WHERE kind = 'card' AND key = 'S2026001'").get() as { data: string } | undefined, 15_000, 100);
    expect(row.data).toMatch(/^ev1:/); // sealed at rest
    expect(JSON.parse(edge.store.vault.unseal(row.data))).toMatchObject({ version: 2 });
  }, 30_000);

  it('a USB policy written in the cloud becomes a signed policy version pushed by the edge, once', async () => {
    const put = await admin(`/api/admin/schools/${link.schoolId}/records/usb_policy/school-default`, {
      method: 'PUT',
      body: JSON.stringify({ target: { scope: 'all' }, content: { defaultAction: 'deny', note: '全校默认：禁止U盘' } }),
    });
    expect(put.status).toBe(200);
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
    const broken = await admin(`/api/admin/schools/${link.schoolId}/records/usb_policy/broken`, { method: 'PUT', body: JSON.stringify({ target: { scope: 'nowhere' } }) });
    expect(broken.status).toBe(400);
    expect(JSON.stringify(await broken.json())).toMatch(/target|content/);
    await admin(`/api/admin/schools/${link.schoolId}/records/usb_policy/exam-week`, {
      method: 'PUT',
      body: JSON.stringify({ target: { scope: 'all' }, content: { defaultAction: 'deny', note: '考试周' } }),
    });
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
