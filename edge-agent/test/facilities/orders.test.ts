import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTime, cst, makePng, overCurrentHarness, startFacilitiesEdge, uploadPhoto } from './helpers.js';

/**
 * Work orders on a real edge (HTTP API, SQLite, the event log) on fake time: auto-dispatch
 * by the rota, contractors who see only their own orders, only the requester confirms,
 * two people finishing one order at once, SLA escalation, photos, alarms that open one
 * order per fault, and the KPIs.
 */
const MONDAY = '2026-09-07';
const time = new FakeTime(cst(`${MONDAY} 08:00`));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;

beforeAll(async () => {
  env = await startFacilitiesEdge(time);
}, 60_000);

afterAll(async () => {
  await env?.edge.cleanup();
});

const order = (over: Record<string, unknown> = {}) => ({ category: 'plumbing', building: 'dorm', place: '宿舍A栋3楼卫生间', description: '水龙头漏水', ...over });

describe('photos', () => {
  it('a real PNG is stored sealed and read back by its uploader; not an image and 50 MB are refused; nothing stored is lost', async () => {
    const png = makePng(16, 12);
    const up = await uploadPhoto(env.teacher, png);
    expect(up.status).toBe(201);
    expect(up.json.photo).toMatchObject({ type: 'image/png', width: 16, height: 12, bytes: png.length });
    const file = join(env.edge.dataDir, 'facilities', 'photos', `${up.json.photo.id}.bin`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).includes(png.subarray(0, 8))).toBe(false); // sealed at rest
    const back = await fetch(`${env.edge.httpUrl}/api/facilities/photos/${up.json.photo.id}`, { headers: { cookie: env.teacher.cookie } });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(png)).toBe(true);
    // Another user who has no order with it does not get it.
    expect((await fetch(`${env.edge.httpUrl}/api/facilities/photos/${up.json.photo.id}`, { headers: { cookie: env.aqua.cookie } })).status).toBe(404);

    const text = await uploadPhoto(env.teacher, Buffer.from('this is not a picture at all, just text'), 'image/jpeg');
    expect(text.status).toBe(400);
    expect(text.json.error.code).toBe('facilities.photo_not_image');
    expect(text.json.error.message['zh-CN']).toContain('不是 JPEG 或 PNG');
    // A PNG with one byte changed fails its CRC.
    const broken = Buffer.from(png);
    broken[40] = broken[40]! ^ 0xff;
    expect((await uploadPhoto(env.teacher, broken)).json.error.code).toBe('facilities.photo_not_image');
    // A JPEG header on 50 MB of zeros.
    const huge = Buffer.alloc(50 * 1024 * 1024);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    const big = await uploadPhoto(env.teacher, huge, 'image/jpeg');
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('facilities.photo_too_large');
    expect(big.json.error.message['zh-CN']).toContain('1024 KB');
    // The first photo is still there and the edge still answers.
    expect((await fetch(`${env.edge.httpUrl}/api/facilities/photos/${up.json.photo.id}`, { headers: { cookie: env.teacher.cookie } })).status).toBe(200);
    expect(env.edge.store.db.prepare('SELECT count(*) AS n FROM fac_photos').get()).toEqual({ n: 1 });
  });
});

describe('work orders', () => {
  it('a plumbing fault goes to the plumbing contractor; another contractor can neither read nor list it', async () => {
    const r = await env.teacher.req('POST', '/api/facilities/orders', order());
    expect(r.status).toBe(201);
    expect(r.json.order).toMatchObject({ state: 'dispatched', assignee: 'aqua', requester: 'teacher', version: 2 });
    const id = r.json.order.id;
    expect((await env.aqua.req('GET', `/api/facilities/orders/${id}`)).status).toBe(200);
    const other = await env.bolt.req('GET', `/api/facilities/orders/${id}`);
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('facilities.order_not_yours');
    expect(other.json.error.message['zh-CN']).toContain('无权');
    expect((await env.bolt.req('GET', '/api/facilities/orders')).json.orders).toEqual([]);
    expect((await env.bolt.req('POST', `/api/facilities/orders/${id}/accept`, { version: 2 })).status).toBe(403);
    // A guard is staff too and reports a fault; contractors do not submit orders; a supervisor sees everything.
    expect((await env.guard.req('POST', '/api/facilities/orders', order({ place: '门卫室' }))).status).toBe(201);
    expect((await env.bolt.req('POST', '/api/facilities/orders', order())).status).toBe(403);
    expect((await env.boss.req('GET', '/api/facilities/orders')).json.orders.map((o: { id: number }) => o.id)).toContain(id);
    // The steps say who and when.
    const full = (await env.teacher.req('GET', `/api/facilities/orders/${id}`)).json.order;
    expect(full.steps.map((s: { action: string; actor: string; to: string }) => [s.action, s.actor, s.to])).toEqual([
      ['submit', 'teacher', 'submitted'],
      ['dispatch', 'system', 'dispatched'],
    ]);
  });

  it('two people finishing one order at once: one wins, the other gets 409 with what changed', async () => {
    const id = (await env.teacher.req('POST', '/api/facilities/orders', order({ place: '宿舍B栋' }))).json.order.id;
    expect((await env.aqua.req('POST', `/api/facilities/orders/${id}/accept`, { version: 2 })).json.order.state).toBe('accepted');
    const [a, b] = await Promise.all([
      env.aqua.req('POST', `/api/facilities/orders/${id}/done`, { version: 3, parts: [{ item: '水龙头', qty: 1 }] }),
      env.boss.req('POST', `/api/facilities/orders/${id}/done`, { version: 3, note: '主管代为完成' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.json.error.code).toBe('facilities.order_changed');
    expect(loser.json.error.message['zh-CN']).toContain('已完成');
    // When, as the school reads its clocks (not a UTC timestamp).
    expect(loser.json.error.message['zh-CN']).toContain(`于 ${MONDAY} 08:00 改为`);
    expect(loser.json.error.details.changes).toHaveLength(1);
    expect(loser.json.error.details.changes[0]).toMatchObject({ action: 'done', from: 'accepted', to: 'done', actor: winner === a ? 'aqua' : 'boss' });
    // One done step only; the winner's data is what is stored.
    const stored = (await env.boss.req('GET', `/api/facilities/orders/${id}`)).json.order;
    expect(stored.steps.filter((s: { action: string }) => s.action === 'done')).toHaveLength(1);
    expect(stored.version).toBe(4);

    // Only the requester confirms or reopens.
    const wrong = await env.teacher2.req('POST', `/api/facilities/orders/${id}/confirm`, { version: 4, rating: 5 });
    expect(wrong.status).toBe(403); // not even visible to teacher2
    const boss = await env.boss.req('POST', `/api/facilities/orders/${id}/confirm`, { version: 4, rating: 5 });
    expect(boss.status).toBe(403);
    expect(boss.json.error.code).toBe('facilities.requester_only');
    expect(boss.json.error.message['zh-CN']).toContain('teacher');
    // Reopened: back to the contractor who did it.
    const re = await env.teacher.req('POST', `/api/facilities/orders/${id}/reopen`, { version: 4, note: '还在漏' });
    expect(re.json.order).toMatchObject({ state: 'dispatched', assignee: 'aqua', reopenCount: 1 });
    // A step that is not possible now is explained.
    const bad = await env.teacher.req('POST', `/api/facilities/orders/${id}/confirm`, { version: re.json.order.version, rating: 4 });
    expect(bad.status).toBe(409);
    expect(bad.json.error.code).toBe('facilities.bad_transition');
    // A body without a version is refused naming it.
    const noVersion = await env.aqua.req('POST', `/api/facilities/orders/${id}/accept`, {});
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.error.message.en).toContain('version');
  });

  it('SLA: an urgent fault nobody accepts is escalated to the supervisor after 30 min, unfixed after 4 h', async () => {
    // Nobody is on the rota for HVAC: it waits for the supervisor.
    const r = await env.teacher.req('POST', '/api/facilities/orders', order({ category: 'hvac', building: 'teach', place: '报告厅', description: '空调冒烟', priority: 'urgent' }));
    expect(r.json.order.state).toBe('submitted');
    const id = r.json.order.id;
    const escalations = () => env.edge.store.events.list({ limit: 50, typePrefix: 'facilities.workorder.escalated' }).reverse().filter((e) => (e.data as { id: number }).id === id);
    await time.advance(29 * 60_000);
    expect(escalations()).toHaveLength(0);
    await time.advance(2 * 60_000);
    expect(escalations().map((e) => e.reason)).toEqual(['facilities.sla.respond_breached']);
    expect(escalations()[0]!.data).toMatchObject({ supervisors: ['boss'], minutes: 30 });
    // The supervisor dispatches by hand; the electrician accepts (late) but does not finish in 4 h.
    const d = await env.boss.req('POST', `/api/facilities/orders/${id}/dispatch`, { version: 1, assignee: 'elec' });
    expect(d.json.order).toMatchObject({ state: 'dispatched', respondBreached: true });
    await env.elec.req('POST', `/api/facilities/orders/${id}/accept`, { version: 2 });
    await time.advanceTo(r.json.order.createdAt + 4 * 3600_000 + 1);
    expect(escalations().map((e) => e.reason)).toEqual(['facilities.sla.respond_breached', 'facilities.sla.fix_breached']);
    // Once escalated, no more: an hour later nothing new.
    await time.advance(3600_000);
    expect(escalations()).toHaveLength(2);
    const steps = (await env.boss.req('GET', `/api/facilities/orders/${id}`)).json.order.steps;
    expect(steps.filter((s: { action: string }) => s.action === 'escalate')).toHaveLength(2);
    await env.relogin();
  });

  it('an unknown worker cannot be dispatched to; a photo that was never uploaded cannot be attached', async () => {
    const r = await env.teacher.req('POST', '/api/facilities/orders', order({ category: 'hvac' }));
    const bad = await env.boss.req('POST', `/api/facilities/orders/${r.json.order.id}/dispatch`, { version: 1, assignee: 'nobody' });
    expect(bad.json.error.code).toBe('facilities.unknown_user');
    const p = await env.teacher.req('POST', '/api/facilities/orders', order({ photos: ['00000000-0000-4000-8000-000000000000'] }));
    expect(p.json.error.code).toBe('facilities.unknown_photo');
  });
});

describe('alarms open orders', () => {
  it('the energy alarm engine’s over-current alarm opens exactly one order per fault, not one per reading or per re-raise', async () => {
    const { hold, alarms } = overCurrentHarness(env.edge, time.now());
    const alarmOrders = () => (env.edge.store.db.prepare("SELECT id, state, category, building, priority, requester FROM fac_orders WHERE source = 'alarm'").all() as Array<Record<string, unknown>>);

    await hold(60, 80); // 12 readings over the limit
    expect(env.edge.store.events.list({ limit: 20, typePrefix: 'alarm.energy.raised' })).toHaveLength(1);
    expect(alarmOrders()).toHaveLength(1);
    expect(alarmOrders()[0]).toMatchObject({ category: 'electrical', building: 'teach', requester: 'system' });
    // The electrician on duty (school day, teaching building) has it.
    const id = alarmOrders()[0]!.id as number;
    const o = (await env.boss.req('GET', `/api/facilities/orders/${id}`)).json.order;
    expect(o).toMatchObject({ state: 'dispatched', assignee: 'elec', place: '教学楼总表' });
    expect(o.description).toContain('教学楼总表');

    // It clears, then the same fault comes back: still one order, with a note.
    await hold(60, 20);
    await hold(60, 85);
    expect(env.edge.store.events.list({ limit: 20, typePrefix: 'alarm.energy.raised' })).toHaveLength(2);
    expect(alarmOrders()).toHaveLength(1);
    const steps = (await env.boss.req('GET', `/api/facilities/orders/${id}`)).json.order.steps;
    expect(steps.filter((s: { action: string }) => s.action === 'alarm_again')).toHaveLength(1);

    // Fixed and confirmed (by the supervisor, the alarm being the requester): a later fault opens a new order.
    let v = o.version;
    for (const [who, action, body] of [
      [env.elec, 'accept', {}],
      [env.elec, 'done', {}],
      [env.boss, 'confirm', { rating: 4 }],
    ] as const) {
      const res = await who.req('POST', `/api/facilities/orders/${id}/${action}`, { version: v, ...body });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      v = res.json.order.version;
    }
    await hold(60, 20);
    await hold(60, 90);
    expect(alarmOrders()).toHaveLength(2);
    alarms.stop();
  });
});
