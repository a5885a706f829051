import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol';
import { decideDevice } from '@campus/protocol/usb/decide';
import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import type { ApiClient } from '../helpers/edge.js';
import { eventually, provision, SimulatedAgent, startGuardEdge, STUDENT_DRIVE, TEACHER_DRIVE, type TestEdge } from './helpers.js';

const asDevice = (d: UsbDeviceIdentity) => ({
  ...d,
  interfaces: d.interfaceClasses.map((c, i) => ({ config: 1, number: i, alternate: 0, class: c, subClass: 6, protocol: 0x50 })),
  problems: [],
});
const verdict = (p: UsbPolicy, d: UsbDeviceIdentity, now = Date.now()) => decideDevice(p, asDevice(d), now, { arrival: 'inserted', otherKeyboards: 0 });

describe('endpoint guard: a teacher asks for a drive, IT approves or refuses', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let pc: SimulatedAgent;

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge());
    pc = await SimulatedAgent.connect(await provision(it_, 'pc-class-305', { groups: ['classrooms'], displayName: '305 教室' }));
    await pc.waitForVersion(1);
  });
  afterAll(async () => {
    pc?.close();
    await edge.cleanup();
  });

  async function ask(device: UsbDeviceIdentity, over: Record<string, unknown> = {}): Promise<string> {
    const req = pc.request(device, over);
    await pc.publish(topics.agentRequest(pc.agentId), req);
    await eventually(async () => (await it_.req('GET', '/api/endpoints/requests')).json.requests.some((r: { id: string }) => r.id === req.id));
    return req.id;
  }

  it('approves temporarily: the PC’s next document lets that drive in until the expiry, and only that drive', async () => {
    const id = await ask(TEACHER_DRIVE, { durationMinutes: 90 });
    expect(verdict(pc.latest()!, TEACHER_DRIVE).outcome).toBe('blocked');
    const before = Date.now();
    const r = await it_.req('POST', `/api/endpoints/requests/${id}/approve`, { kind: 'temporary' });
    expect(r.status).toBe(200);
    expect(r.json.request).toMatchObject({ status: 'approved', decidedBy: 'it-zhang', grantId: r.json.grant.id });
    expect(r.json.grant).toMatchObject({ kind: 'temporary', state: 'active', grantedTo: '王老师', match: { vid: '0781', pid: '5567', serial: TEACHER_DRIVE.serial } });
    // The teacher asked for 90 minutes and IT did not change it.
    expect(r.json.grant.expiresAt - r.json.grant.grantedAt).toBe(90 * 60_000);
    expect(r.json.grant.grantedAt).toBeGreaterThanOrEqual(before);

    const doc = await eventually(async () => pc.policies.map((p) => p.policy).find((p) => p.exceptions.some((e) => e.id === `grant-${r.json.grant.id}`)));
    expect(doc.version).toBeGreaterThan(1);
    expect(verdict(doc, TEACHER_DRIVE).reason).toBe('usb.allowed.exception');
    expect(verdict(doc, STUDENT_DRIVE).outcome).toBe('blocked');
    // It lapses on the PC's own clock, edge or no edge.
    expect(verdict(doc, TEACHER_DRIVE, r.json.grant.expiresAt + 1).reason).toBe('usb.blocked.exception_expired');

    const events = edge.store.events.list({ typePrefix: 'endpoint.request', subject: 'pc-class-305' });
    const approved = events.find((e) => e.reason === 'endpoint.request.approved_temporary')!;
    expect(approved.data).toMatchObject({ requestId: id, kind: 'temporary', deviceText: `0781:5567 Cruzer Blade #${TEACHER_DRIVE.serial}` });
    const text = (await it_.req('GET', '/api/events?type=endpoint.request&subject=pc-class-305')).json.events[0].text;
    expect(text['zh-CN']).toMatch(/^已批准 王老师 在终端 pc-class-305 上临时使用 0781:5567 Cruzer Blade #4C53\S+，至 \d{4}-\d\d-\d\d \d\d:\d\d$/);
  });

  it('refuses to decide a request twice, and says so', async () => {
    const [req] = (await it_.req('GET', '/api/endpoints/requests?status=approved')).json.requests;
    const again = await it_.req('POST', `/api/endpoints/requests/${req.id}/approve`, { kind: 'permanent' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('endpoints.request_decided');
    expect((await it_.req('POST', `/api/endpoints/requests/${req.id}/deny`, {})).status).toBe(409);
  });

  it('approves permanently: an allow rule ahead of IT’s rules that survives later pushes to all PCs', async () => {
    const id = await ask(STUDENT_DRIVE, { durationMinutes: undefined, requestedBy: '李老师' });
    const r = await it_.req('POST', `/api/endpoints/requests/${id}/approve`, { kind: 'permanent', note: '教研组共用盘' });
    expect(r.status).toBe(200);
    expect(r.json.grant).toMatchObject({ kind: 'permanent', expiresAt: null, match: { vid: '090c', pid: '1000', port: '1-2' } });
    const ruleId = `grant-${r.json.grant.id}`;
    await eventually(async () => pc.latest()!.rules[0]?.id === ruleId);

    const push = await it_.req('POST', '/api/endpoints/policies', { target: { scope: 'all' }, content: { rules: [{ id: 'no-smi', action: 'block', match: { vid: '090c' } }] } });
    const v = push.json.policy.version as number;
    const doc = await pc.waitForVersion(v);
    expect(doc.rules.map((x) => x.id)).toEqual([ruleId, 'no-smi']);
    expect(doc.exceptions.some((e) => e.id.startsWith('grant-'))).toBe(true);
    expect(verdict(doc, STUDENT_DRIVE).reason).toBe('usb.allowed.rule');
    // Only in that socket: the same model elsewhere is still blocked by IT's rule.
    expect(verdict(doc, { ...STUDENT_DRIVE, port: '1-4' }).reason).toBe('usb.blocked.rule');
  });

  it('refuses a request: no grant, and the PC’s document is unchanged', async () => {
    const versionBefore = pc.latest()!.version;
    const id = await ask({ ...STUDENT_DRIVE, serial: 'PHONE-1', interfaceClasses: [6] }, { note: '拷照片' });
    const r = await it_.req('POST', `/api/endpoints/requests/${id}/deny`, { note: '请用校园网盘' });
    expect(r.status).toBe(200);
    expect(r.json.request).toMatchObject({ status: 'denied', decisionNote: '请用校园网盘', grantId: null });
    const detail = await it_.req('GET', '/api/endpoints/agents/pc-class-305');
    expect(detail.json.agent.policy.published).toBe(versionBefore);
    expect(detail.json.requests.map((x: { status: string }) => x.status)).toEqual(['denied', 'approved', 'approved']);
  });

  it('lets IT revoke a grant (re-issued without it) and refuses to revoke it twice', async () => {
    const detail = await it_.req('GET', '/api/endpoints/agents/pc-class-305');
    const permanent = detail.json.grants.find((g: { kind: string }) => g.kind === 'permanent');
    const r = await it_.req('POST', `/api/endpoints/grants/${permanent.id}/revoke`);
    expect(r.status).toBe(200);
    expect(r.json.grant).toMatchObject({ state: 'revoked', revokedBy: 'it-zhang' });
    await eventually(async () => !pc.latest()!.rules.some((x) => x.id === `grant-${permanent.id}`));
    expect(verdict(pc.latest()!, STUDENT_DRIVE).reason).toBe('usb.blocked.rule');
    const again = await it_.req('POST', `/api/endpoints/grants/${permanent.id}/revoke`);
    expect(again.status).toBe(409);
    expect(again.json.error.message.en).toMatch(/already revoked/);
    expect((await it_.req('POST', '/api/endpoints/grants/99999/revoke')).status).toBe(404);
  });

  it('lets IT allow a device straight from a blocked event, for a set time', async () => {
    const r = await it_.req('POST', '/api/endpoints/agents/pc-class-305/grants', { kind: 'temporary', device: { ...TEACHER_DRIVE, serial: 'EXAM-USB-01' }, durationMinutes: 30, grantedTo: '考务办' });
    expect(r.status).toBe(201);
    expect(r.json.grant.expiresAt - r.json.grant.grantedAt).toBe(30 * 60_000);
    const doc = await eventually(async () => pc.policies.map((p) => p.policy).find((p) => p.exceptions.some((e) => e.id === `grant-${r.json.grant.id}`)));
    expect(doc.exceptions.find((e) => e.id === `grant-${r.json.grant.id}`)!.grantedTo).toBe('考务办');
  });

  it('answers bad decisions with 400 or 404 and a message', async () => {
    const id = await ask(TEACHER_DRIVE, { requestedBy: '赵老师' });
    const bad: Array<[string, unknown, number]> = [
      [`/api/endpoints/requests/${id}/approve`, { kind: 'forever' }, 400],
      [`/api/endpoints/requests/${id}/approve`, { kind: 'temporary', durationMinutes: 0 }, 400],
      [`/api/endpoints/requests/${id}/approve`, { kind: 'temporary', durationMinutes: 1.5 }, 400],
      [`/api/endpoints/requests/${id}/approve`, { kind: 'permanent', durationMinutes: 60 }, 400],
      [`/api/endpoints/requests/${id}/approve`, {}, 400],
      [`/api/endpoints/requests/${id}/deny`, { note: 'x'.repeat(201) }, 400],
      ['/api/endpoints/requests/not-a-uuid/approve', { kind: 'permanent' }, 400],
      ['/api/endpoints/requests/01900000-0000-7000-8000-000000000000/approve', { kind: 'permanent' }, 404],
      ['/api/endpoints/agents/pc-class-305/grants', { kind: 'temporary', device: { ...TEACHER_DRIVE, vid: 'xyz' } }, 400],
      ['/api/endpoints/agents/pc-nobody/grants', { kind: 'permanent', device: TEACHER_DRIVE }, 404],
      ['/api/endpoints/agents/pc-class-305/update', {}, 400],
    ];
    for (const [path, body, status] of bad) {
      const r = await it_.req('POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(r.json.error.message['zh-CN'].length).toBeGreaterThan(0);
    }
    expect((await it_.req('GET', `/api/endpoints/requests?status=pending`)).json.requests.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('caps the grants of one PC and says how to make room', async () => {
    const inForce = (await it_.req('GET', '/api/endpoints/agents/pc-class-305')).json.agent.grantsInForce as number;
    for (let i = inForce; i < 100; i++) {
      const r = await it_.req('POST', '/api/endpoints/agents/pc-class-305/grants', { kind: 'permanent', device: { ...TEACHER_DRIVE, serial: `BULK-${i}` } });
      expect(r.status).toBe(201);
    }
    const over = await it_.req('POST', '/api/endpoints/agents/pc-class-305/grants', { kind: 'permanent', device: { ...TEACHER_DRIVE, serial: 'ONE-TOO-MANY' } });
    expect(over.status).toBe(409);
    expect(over.json.error.code).toBe('endpoints.too_many_grants');
    expect(over.json.error.message['zh-CN']).toContain('上限 100');
    const grantIds = (p: UsbPolicy) => [...p.rules, ...p.exceptions].filter((x) => x.id.startsWith('grant-')).length;
    const doc = await eventually(async () => (grantIds(pc.latest()!) === 100 ? pc.latest() : undefined));
    expect(doc.rules.at(-1)!.id).toBe('no-smi');
  });
});
