import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/edge.js';
import { FakeTime, cst, startFacilitiesEdge } from './helpers.js';

/**
 * The edge is switched off in the middle of a round window and of an order's SLA, and
 * comes back after both have passed: the run is closed at start with its alerts, the SLA
 * breach is raised, and what was stored before is all there.
 */
const MONDAY = '2026-09-07';
const time = new FakeTime(cst(`${MONDAY} 07:00`));
const dir = tempDir('facilities-restart-');
afterAll(() => dir.remove());

describe('a restart', () => {
  it('closes a run that ended while the edge was off and escalates an order whose SLA passed', async () => {
    const first = await startFacilitiesEdge(time, {}, dir.path);
    const tags: Record<string, string> = {};
    for (const id of ['a', 'b']) {
      tags[id] = (await first.boss.req('PUT', `/api/facilities/checkpoints/${id}`, { name: `点${id}`, building: 'teach', place: id, checklist: [{ id: 'ok', kind: 'check', label: '正常' }] })).json.tag;
    }
    await first.boss.req('PUT', '/api/facilities/rounds/morning', { name: '早间巡检', checkpoints: ['a', 'b'], window: { from: '07:00', until: '07:40' } });
    await time.advanceTo(cst(`${MONDAY} 07:05`));
    expect((await first.inspector.req('POST', '/api/facilities/inspections', { tag: tags.a, answers: [{ item: 'ok', pass: true }] })).status).toBe(201);
    const order = (await first.teacher.req('POST', '/api/facilities/orders', { category: 'hvac', building: 'teach', place: '报告厅', description: '空调不制冷', priority: 'urgent' })).json.order;
    await first.edge.stop();

    await time.advanceTo(cst(`${MONDAY} 09:00`));
    const second = await startFacilitiesEdge(time, {}, dir.path);
    try {
      await time.advance(0);
      const alerts = second.edge.store.events.list({ limit: 10, typePrefix: 'facilities.inspection.alert' });
      expect(alerts.map((e) => `${e.reason}:${e.subject}`)).toEqual(['facilities.round.missed:b']);
      const run = (await second.boss.req('GET', '/api/facilities/runs?state=all')).json.runs[0];
      expect(run.closedAt).not.toBeNull();
      expect(run.inspections.map((i: { checkpointId: string }) => i.checkpointId)).toEqual(['a']);
      const escalated = second.edge.store.events.list({ limit: 10, typePrefix: 'facilities.workorder.escalated' });
      expect(escalated.map((e) => e.reason)).toEqual(['facilities.sla.respond_breached']);
      expect((await second.teacher.req('GET', `/api/facilities/orders/${order.id}`)).json.order).toMatchObject({ state: 'submitted', respondBreached: true, fixBreached: false });
      // The fix SLA (4 h) is still armed: at 11:06 it breaches too.
      await time.advanceTo(order.fixDue + 1);
      expect(second.edge.store.events.list({ limit: 10, typePrefix: 'facilities.workorder.escalated' })).toHaveLength(2);
      // The tags printed before the restart still verify (the key is kept in the data folder).
      expect((await second.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(tags.b)}`)).status).toBe(200);
    } finally {
      await second.edge.stop();
    }
  });
});
