import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTime, ROTA, cst, startFacilitiesEdge } from './helpers.js';

/**
 * The duty rota edited at the desk: until saved, the config file's rota is in force; a
 * saved rota dispatches the next orders; an unknown or disabled assignee and a bad time are
 * refused with clear errors and change nothing; only the supervisor edits it; the KPIs
 * group by the rota's teams.
 */
describe('facilities duty rota at the desk', () => {
  const time = new FakeTime(cst('2026-09-07 08:00'));
  let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;
  beforeAll(async () => {
    env = await startFacilitiesEdge(time);
  }, 60_000);
  afterAll(async () => {
    await env?.edge.cleanup();
  });
  const order = async (category: string) => {
    const r = await env.teacher.req('POST', '/api/facilities/orders', { category, priority: 'normal', building: 'teach', place: '三楼', description: '故障' });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json.order as { id: number; assignee: string | null };
  };

  it('answers the config rota until one is saved, then dispatches by the saved one', async () => {
    const first = await env.boss.req('GET', '/api/facilities/rota');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ source: 'config', updatedAt: null, updatedBy: null });
    expect(first.json.entries.map((e: { assignee: string }) => e.assignee)).toEqual(ROTA.map((e) => e.assignee));
    expect((await order('electrical')).assignee).toBe('elec');

    const saved = await env.boss.req('PUT', '/api/facilities/rota', {
      entries: [
        { category: 'electrical', assignee: 'inspector', team: '电工班', from: '07:00', until: '18:00' },
        { category: 'plumbing', assignee: 'aqua', kind: 'contractor', team: '外包水电' },
      ],
    });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json).toMatchObject({ source: 'desk', updatedBy: 'boss', updatedAt: time.now() });
    expect(saved.json.entries[0]).toEqual({ category: 'electrical', building: '*', assignee: 'inspector', kind: 'worker', team: '电工班', days: 'all', from: '07:00', until: '18:00' });
    expect((await order('electrical')).assignee).toBe('inspector');
    // Glazing is in no line any more: the order waits for the supervisor.
    expect((await order('glazing')).assignee).toBeNull();
  });

  it('refuses an unknown assignee and a bad time, keeping the saved rota; only the supervisor edits it', async () => {
    const before = (await env.boss.req('GET', '/api/facilities/rota')).json;
    const ghost = await env.boss.req('PUT', '/api/facilities/rota', { entries: [{ category: '*', assignee: 'ghost' }] });
    expect(ghost.status).toBe(400);
    expect(ghost.json.error.message['zh-CN']).toBe('用户 ghost 不存在或已停用');
    const badTime = await env.boss.req('PUT', '/api/facilities/rota', { entries: [{ category: '*', assignee: 'elec', from: '25:00' }] });
    expect(badTime.status).toBe(400);
    expect(badTime.json.error.code).toBe('request.invalid');
    expect(badTime.json.error.message.en).toMatch(/HH:MM/);
    expect((await env.elec.req('PUT', '/api/facilities/rota', { entries: [] })).status).toBe(403);
    expect((await env.aqua.req('GET', '/api/facilities/rota')).status).toBe(403);
    expect((await env.boss.req('GET', '/api/facilities/rota')).json).toEqual(before);
  });

  it('groups the KPIs by the rota’s teams', async () => {
    await order('plumbing');
    const kpi = await env.boss.req('GET', '/api/facilities/kpi?by=team');
    expect(kpi.status).toBe(200);
    const byKey = Object.fromEntries(kpi.json.rows.map((r: { key: string; orders: number }) => [r.key, r.orders]));
    // elec is in no saved line (its first order counts as "-"), inspector's is 电工班, aqua's 外包水电, the waiting glazing order "-".
    expect(byKey).toEqual({ '-': 2, 电工班: 1, 外包水电: 1 });
  });
});
