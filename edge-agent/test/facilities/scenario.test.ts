import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFirstSheet } from '@campus/protocol/sheets/xlsx';
import { FakeTime, cst, makePng, overCurrentHarness, startFacilitiesEdge, uploadPhoto } from './helpers.js';

/**
 * The facilities scenario on one real edge and fake time: Monday's morning round finds
 * the east distribution box open (red, with a photo); that becomes an order dispatched to
 * the electrician on duty, who accepts, works and finishes it; the inspector who reported
 * it confirms with a rating, and the KPI counts it. An over-current alarm from the energy
 * domain's alarm engine opens exactly one order.
 */
const MONDAY = '2026-09-07';
const time = new FakeTime(cst(`${MONDAY} 06:30`));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;

beforeAll(async () => {
  env = await startFacilitiesEdge(time);
}, 60_000);

afterAll(async () => {
  await env?.edge.cleanup();
});

describe('a facilities morning', () => {
  it('red item → order → dispatched → done → confirmed → KPI; one alarm → one order', async () => {
    const { boss, inspector, elec } = env;
    const box = await boss.req('PUT', '/api/facilities/checkpoints/box-east', {
      name: '东门配电箱',
      building: 'teach',
      place: '教学楼东门',
      category: 'electrical',
      checklist: [{ id: 'door', kind: 'check', label: '箱门关闭上锁', photo: 'on_fail', orderPriority: 'high' }],
    });
    const hall = await boss.req('PUT', '/api/facilities/checkpoints/hall', {
      name: '大厅',
      building: 'teach',
      place: '教学楼大厅',
      checklist: [{ id: 'exit', kind: 'check', label: '安全出口通畅' }],
    });
    await boss.req('PUT', '/api/facilities/rounds/morning', { name: '早间巡检', checkpoints: ['box-east', 'hall'], window: { from: '07:00', until: '07:40' } });

    // 07:10: the box is open (red, photo); the hall is fine.
    await time.advanceTo(cst(`${MONDAY} 07:10`));
    const resolved = await inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(box.json.tag)}`);
    expect(resolved.json.runs).toHaveLength(1);
    expect(resolved.json.runs[0].next).toBe('box-east');
    const photo = (await uploadPhoto(inspector, makePng(32, 24))).json.photo.id;
    const red = await inspector.req('POST', '/api/facilities/inspections', { tag: box.json.tag, answers: [{ item: 'door', pass: false, photo }] });
    expect(red.json.result).toBe('red');
    const green = await inspector.req('POST', '/api/facilities/inspections', { tag: hall.json.tag, answers: [{ item: 'exit', pass: true }] });
    expect(green.json).toMatchObject({ result: 'green', outOfOrder: false });
    const [orderId] = red.json.orders as number[];

    // The electrician on duty has it, and can see its photo.
    const mine = (await elec.req('GET', '/api/facilities/orders?mine=assigned&state=open')).json.orders;
    expect(mine.map((o: { id: number }) => o.id)).toEqual([orderId]);
    expect(mine[0]).toMatchObject({ state: 'dispatched', priority: 'high', place: '教学楼东门', photos: [photo] });
    expect((await fetch(`${env.edge.httpUrl}/api/facilities/photos/${photo}`, { headers: { cookie: elec.cookie } })).status).toBe(200);

    // Accepted at 07:30 (20 min), started, done at 09:10 with a part.
    let v = mine[0].version;
    const step = async (who: typeof elec, action: string, body: Record<string, unknown> = {}) => {
      const r = await who.req('POST', `/api/facilities/orders/${orderId}/${action}`, { version: v, ...body });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      v = r.json.order.version;
      return r.json.order;
    };
    await time.advanceTo(cst(`${MONDAY} 07:30`));
    await step(elec, 'accept');
    await step(elec, 'start');
    await time.advanceTo(cst(`${MONDAY} 09:10`));
    await step(elec, 'done', { parts: [{ item: '配电箱门锁', qty: 1 }], note: '换锁' });
    const confirmed = await step(inspector, 'confirm', { rating: 4 });
    expect(confirmed).toMatchObject({ state: 'confirmed', rating: 4, parts: [{ item: '配电箱门锁', qty: 1, unit: '个' }], respondBreached: false, fixBreached: false });
    expect(confirmed.steps.map((s: { action: string; actor: string }) => `${s.action}:${s.actor}`)).toEqual([
      'submit:inspector',
      'dispatch:system',
      'accept:elec',
      'start:elec',
      'done:elec',
      'confirm:inspector',
    ]);

    // The round closed cleanly at 07:55.
    const closed = env.edge.store.events.list({ limit: 5, typePrefix: 'facilities.inspection.round_closed' });
    expect(closed[0]!.data).toMatchObject({ total: 2, done: 2, missed: 0, late: 0, outOfOrder: 0 });
    expect(env.edge.store.events.list({ limit: 5, typePrefix: 'facilities.inspection.alert' })).toHaveLength(0);

    // 10:00: the teaching building's main feeder runs over its rating for a minute.
    await time.advanceTo(cst(`${MONDAY} 10:00`));
    const { hold, alarms } = overCurrentHarness(env.edge, time.now());
    await hold(60, 80);
    alarms.stop();
    const alarmOrders = (await boss.req('GET', '/api/facilities/orders')).json.orders.filter((o: { source: string }) => o.source === 'alarm');
    expect(alarmOrders).toHaveLength(1);
    expect(alarmOrders[0]).toMatchObject({ category: 'electrical', building: 'teach', assignee: 'elec', state: 'dispatched' });

    // The KPI: one finished order for the electrician (20 min to respond, 120 min to repair, SLA met, rated 4), one in the backlog.
    const kpi = (await boss.req('GET', '/api/facilities/kpi?by=worker')).json.rows;
    expect(kpi).toEqual([{ key: 'elec', orders: 2, backlog: 1, avgResponseMin: 20, avgRepairMin: 120, slaMet: 1, slaMissed: 0, reopenRate: 0, avgRating: 4, ratings: 1 }]);
    const byBuilding = (await boss.req('GET', `/api/facilities/kpi?by=building&from=${cst(`${MONDAY} 00:00`)}&to=${cst(`${MONDAY} 09:00`)}`)).json.rows;
    expect(byBuilding).toEqual([{ key: 'teach', orders: 1, backlog: 0, avgResponseMin: 20, avgRepairMin: 120, slaMet: 1, slaMissed: 0, reopenRate: 0, avgRating: 4, ratings: 1 }]);
    expect((await inspector.req('GET', '/api/facilities/kpi')).status).toBe(403);
    // The same numbers exported to Excel, read back with the edge's own sheet reader.
    const xlsx = await fetch(`${env.edge.httpUrl}/api/facilities/kpi.xlsx`, { headers: { cookie: boss.cookie } });
    expect(xlsx.status).toBe(200);
    const sheet = await readFirstSheet(new Uint8Array(await xlsx.arrayBuffer()));
    expect(sheet.sheetName).toBe('按人员');
    expect(sheet.rows[1]!.fields).toEqual(['elec', '2', '1', '20', '120', '1', '0', '0', '4', '1']);
  });
});
