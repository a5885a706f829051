import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/edge.js';
import { startEdge } from '../../src/edge.js';
import pino from 'pino';
import { eventually, provision, SimulatedAgent, startGuardEdge, type AgentConfigFile, type TestEdge } from './helpers.js';

const blockPhones = { id: 'no-phones', action: 'block' as const, match: { interfaceClass: 6 }, note: '禁止手机传文件' };
const allowPrinters = { id: 'printers', action: 'allow' as const, match: { interfaceClass: 7 } };

describe('endpoint guard: policy versions, push to all / a group / one PC, diff', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let lab: SimulatedAgent;
  let office: SimulatedAgent;
  let labConfig: AgentConfigFile;

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge());
    labConfig = await provision(it_, 'pc-lab1-01', { groups: ['lab-1'] });
    lab = await SimulatedAgent.connect(labConfig);
    office = await SimulatedAgent.connect(await provision(it_, 'pc-office-1', { groups: ['office'] }));
    await lab.waitForVersion(1);
    await office.waitForVersion(1);
  });
  afterAll(async () => {
    lab?.close();
    office?.close();
    await edge.cleanup();
  });

  const push = (body: unknown) => it_.req('POST', '/api/endpoints/policies', body);
  const agentState = async (id: string) => ((await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<{ agentId: string; policy: { state: string; version: number; applied: number } }>).find((a) => a.agentId === id)!;

  it('starts with the built-in v1 (storage blocked) and shows each PC applying it', async () => {
    const list = await it_.req('GET', '/api/endpoints/policies');
    expect(list.status).toBe(200);
    expect(list.json.policies).toHaveLength(1);
    expect(list.json.policies[0]).toMatchObject({ version: 1, target: { scope: 'all' }, createdBy: 'system', content: { defaultAction: 'deny', rules: [] } });
    await eventually(async () => (await agentState('pc-lab1-01')).policy.state === 'applied');
    const rollout = await eventually(async () => {
      const p = (await it_.req('GET', '/api/endpoints/policies')).json.policies[0];
      return p.rollout.applied === 2 ? p.rollout : undefined;
    });
    expect(rollout).toEqual({ agents: 2, applied: 2, refused: 0 });
  });

  it('pushes to all PCs: a new version, signed for each PC, applied by both', async () => {
    const r = await push({ target: { scope: 'all' }, basedOn: 1, content: { rules: [blockPhones, allowPrinters], note: '新学期' } });
    expect(r.status).toBe(201);
    expect(r.json.policy.version).toBe(2);
    expect(r.json.agents.sort()).toEqual(['pc-lab1-01', 'pc-office-1']);
    for (const a of [lab, office]) {
      const p = await a.waitForVersion(2);
      expect(p.rules.map((x) => x.id)).toEqual(['no-phones', 'printers']);
      expect(p.target).toEqual({ scope: 'pc', agentId: a.agentId });
      expect(p.issuedBy).toBe('it-zhang');
    }
    const applied = await eventually(async () => {
      const a = await agentState('pc-office-1');
      return a.policy.applied === 2 ? a : undefined;
    });
    expect(applied.policy).toMatchObject({ state: 'applied', version: 2, published: 2 });
    const events = edge.store.events.list({ typePrefix: 'endpoint.policy' });
    expect(events.some((e) => e.reason === 'endpoint.policy.published_all' && e.data.version === 2 && e.data.agents === 2)).toBe(true);
    expect(events.some((e) => e.reason === 'usb.policy.applied' && e.subject === 'pc-lab1-01')).toBe(true);
  });

  it('pushes to a group: only its PCs get the new version', async () => {
    const r = await push({ target: { scope: 'group', group: 'lab-1' }, basedOn: 2, content: { rules: [blockPhones], keystrokeGuard: { enabled: true } } });
    expect(r.status).toBe(201);
    expect(r.json.agents).toEqual(['pc-lab1-01']);
    const p = await lab.waitForVersion(3);
    expect(p.keystrokeGuard.enabled).toBe(true);
    expect(office.latest()!.version).toBe(2);
  });

  it('pushes to one PC, and a later push to all reaches it again (the newest version wins)', async () => {
    const one = await push({ target: { scope: 'pc', agentId: 'pc-office-1' }, content: { killSwitch: true, note: '临时全部放行' } });
    expect(one.json.agents).toEqual(['pc-office-1']);
    expect((await office.waitForVersion(4)).killSwitch).toBe(true);
    expect(lab.latest()!.version).toBe(3);
    const all = await push({ target: { scope: 'all' }, content: { rules: [blockPhones] } });
    expect(all.json.policy.version).toBe(5);
    expect((await office.waitForVersion(5)).killSwitch).toBe(false);
    await lab.waitForVersion(5);
  });

  it('moving a PC into a group gives it that group’s newest policy, under a version it has never had', async () => {
    await push({ target: { scope: 'group', group: 'exam-room' }, content: { defaultAction: 'deny', rules: [], note: '考场' } }); // v6, no PCs yet
    const moved = await it_.req('POST', '/api/endpoints/agents/pc-office-1/update', { groups: ['office', 'exam-room'] });
    expect(moved.status).toBe(200);
    const p = await office.waitForVersion(6);
    expect(p.note).toBe('考场');
    // Moving it back: the newest reaching it is v5 again, re-issued as a new number (7), never as an old one.
    await it_.req('POST', '/api/endpoints/agents/pc-office-1/update', { groups: ['office'] });
    const back = await office.waitForVersion(7);
    expect(back.note).toBeUndefined();
    expect(back.rules.map((r) => r.id)).toEqual(['no-phones']);
    expect((await agentState('pc-office-1')).policy).toMatchObject({ version: 5 });
  });

  it('diffs two versions, and refuses unknown versions with 404 and a message', async () => {
    const d = await it_.req('GET', '/api/endpoints/policies/diff?from=2&to=3');
    expect(d.status).toBe(200);
    expect(d.json.changes).toEqual([
      { section: 'target', kind: 'changed', before: { scope: 'all' }, after: { scope: 'group', group: 'lab-1' } },
      { section: 'settings', kind: 'changed', field: 'keystrokeGuard', before: { enabled: false }, after: { enabled: true } },
      { section: 'settings', kind: 'changed', field: 'note', before: '新学期', after: null },
      { section: 'rules', kind: 'removed', id: 'printers', before: allowPrinters, position: 1 },
    ]);
    const unknown = await it_.req('GET', '/api/endpoints/policies/diff?from=2&to=999');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('endpoints.unknown_version');
    expect(unknown.json.error.message['zh-CN']).toBe('没有 USB 策略版本 v999');
    expect((await it_.req('GET', '/api/endpoints/policies/diff?from=abc&to=2')).status).toBe(400);
    expect((await it_.req('GET', '/api/endpoints/policies/diff?from=2')).status).toBe(400);
    expect((await it_.req('GET', '/api/endpoints/policies/999')).status).toBe(404);
  });

  it('previews a push: the changes against the edited version and how many PCs it reaches', async () => {
    const r = await it_.req('POST', '/api/endpoints/policies/preview', { from: 5, target: { scope: 'group', group: 'lab-1' }, content: { rules: [] } });
    expect(r.status).toBe(200);
    expect(r.json.agents).toBe(1);
    expect(r.json.changes).toContainEqual({ section: 'rules', kind: 'removed', id: 'no-phones', before: blockPhones, position: 0 });
    expect((await it_.req('GET', '/api/endpoints/policies')).json.policies[0].version).toBe(6);
  });

  it('re-pushes an old version as a new one (a rollback never reuses a number)', async () => {
    const r = await it_.req('POST', '/api/endpoints/policies/2/push', {});
    expect(r.status).toBe(201);
    expect(r.json.policy).toMatchObject({ version: 8, basedOn: 2, target: { scope: 'all' } });
    const p = await lab.waitForVersion(8);
    expect(p.rules.map((x) => x.id)).toEqual(['no-phones', 'printers']);
    expect((await it_.req('POST', '/api/endpoints/policies/999/push', {})).status).toBe(404);
  });

  it('answers bad policy bodies with 400 and what is wrong, and pushes nothing', async () => {
    const before = (await it_.req('GET', '/api/endpoints/policies')).json.policies.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ content: {} }, /target/],
      [{ target: { scope: 'room' }, content: {} }, /target/],
      [{ target: { scope: 'group', group: '机房' }, content: {} }, /group/],
      [{ target: { scope: 'all' }, content: { rules: [{ id: 'grant-1', action: 'allow', match: { vid: '0781' } }] } }, /reserved/],
      [{ target: { scope: 'all' }, content: { rules: [blockPhones, blockPhones] } }, /duplicate rule id/],
      [{ target: { scope: 'all' }, content: { rules: [{ id: 'x', action: 'allow', match: {} }] } }, /at least one of/],
      [{ target: { scope: 'all' }, content: { rules: [{ id: 'x', action: 'allow', match: { vid: 'zzzz' } }] } }, /hex/],
      [{ target: { scope: 'all' }, content: { defaultAction: 'maybe' } }, /defaultAction/],
      [{ target: { scope: 'all' }, content: { usbStorage: 'off' } }, /usbStorage|unrecognized/i],
      [{ target: { scope: 'all' }, content: {}, basedOn: 0 }, /basedOn/],
    ];
    for (const [body, msg] of cases) {
      const r = await push(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('request.invalid');
      expect(r.json.error.message.en, JSON.stringify(body)).toMatch(msg);
    }
    const unknownPc = await push({ target: { scope: 'pc', agentId: 'pc-nobody' }, content: {} });
    expect(unknownPc.status).toBe(404);
    const unknownBase = await push({ target: { scope: 'all' }, content: {}, basedOn: 999 });
    expect(unknownBase.status).toBe(404);
    expect((await it_.req('GET', '/api/endpoints/policies')).json.policies.length).toBe(before);
  });

  it('after a restart, puts every PC’s document back on its retained topic without issuing new versions', async () => {
    const published = (await agentState('pc-lab1-01')).policy;
    lab.close();
    office.close();
    await edge.stop();
    const again = await startEdge(edge.config, { logger: pino({ level: 'silent' }) });
    try {
      const fresh = await SimulatedAgent.connect({ ...labConfig, edge: { ...labConfig.edge, port: again.mqtt.tlsPort! } });
      try {
        const p = await fresh.waitForVersion(8);
        expect(p.target).toEqual({ scope: 'pc', agentId: 'pc-lab1-01' });
        expect(published.version).toBe(8);
        expect(again.store.db.prepare('SELECT value FROM usb_policy_counter').get()).toEqual({ value: 8 });
      } finally {
        fresh.close();
      }
    } finally {
      await again.stop();
    }
  });
});
