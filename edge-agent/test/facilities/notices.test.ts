import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { FakeTime, cst, startFacilitiesEdge } from './helpers.js';

/**
 * Notices to the people on an order, on the live channel: a dispatched order reaches its
 * contractor's panel (whose role sees no facilities events otherwise), its requester sees
 * each step, another contractor gets nothing; an escalation reaches the supervisors and the
 * assignee. Real edge, real socket.io clients, fake time for the SLA timer.
 */
const time = new FakeTime(cst('2026-09-07 08:00'));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;
const sockets: Socket[] = [];
type Seen = Array<{ type: string; reason: string; data: Record<string, unknown> }>;

async function listen(cookie: string): Promise<Seen> {
  const seen: Seen = [];
  const s = ioClient(env.edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  s.on('event', (e: Seen[number]) => seen.push(e));
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  sockets.push(s);
  return seen;
}

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
};

beforeAll(async () => {
  env = await startFacilitiesEdge(time);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.edge.cleanup();
});

describe('live notices on work orders', () => {
  it('dispatch reaches the contractor and the requester, not another contractor; escalation reaches supervisor and assignee', async () => {
    const aqua = await listen(env.aqua.cookie);
    const bolt = await listen(env.bolt.cookie);
    const teacher = await listen(env.teacher.cookie);
    const boss = await listen(env.boss.cookie);

    const r = await env.teacher.req('POST', '/api/facilities/orders', { category: 'plumbing', building: 'dorm', place: '宿舍A栋3楼', description: '水管爆裂', priority: 'urgent' });
    expect(r.status).toBe(201);
    const id = r.json.order.id as number;
    expect(r.json.order).toMatchObject({ state: 'dispatched', assignee: 'aqua' });

    const dispatched = (e: Seen[number]) => e.type === 'facilities.workorder.changed' && e.data.id === id && e.data.state === 'dispatched';
    await until(() => aqua.some(dispatched));
    expect(aqua.find(dispatched)!.data.notify).toEqual(['aqua', 'teacher']);
    await until(() => teacher.some(dispatched));
    await until(() => boss.some(dispatched)); // the supervisor sees it by role
    // Another contractor is told nothing (and its panel may see no facilities events at all).
    expect(bolt.filter((e) => e.type.startsWith('facilities.'))).toEqual([]);

    // 30 minutes without acceptance: escalated to the supervisors and the assignee.
    await time.advance(31 * 60_000);
    const escalated = (e: Seen[number]) => e.type === 'facilities.workorder.escalated' && e.data.id === id;
    await until(() => aqua.some(escalated) && boss.some(escalated));
    expect(aqua.find(escalated)!.data.notify).toEqual(['boss', 'aqua']);
    expect(teacher.some(escalated)).toBe(false);
    expect(bolt.filter((e) => e.type.startsWith('facilities.'))).toEqual([]);
    // Other events stay within their roles: a contractor sees no gate, energy or system events.
    expect(aqua.every((e) => e.type.startsWith('facilities.workorder.'))).toBe(true);
  });
});
