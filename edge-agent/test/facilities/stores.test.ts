import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTime, cst, startFacilitiesEdge } from './helpers.js';

/** The store on a real edge: receipts, issues, parts taken by a work order, minimum-stock alerts, short issues refused. */
const time = new FakeTime(cst('2026-09-07 09:00'));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;

beforeAll(async () => {
  env = await startFacilitiesEdge(time);
}, 60_000);

afterAll(async () => {
  await env?.edge.cleanup();
});

describe('consumables in the store', () => {
  it('parts on a finished order leave the store; below the minimum one alert; a short order step changes nothing', async () => {
    const { boss, aqua, teacher } = env;
    expect((await boss.req('PUT', '/api/facilities/stock/faucet', { name: '水龙头', unit: '个', minQty: 2 })).json.item).toMatchObject({ qty: 0, low: true });
    expect((await boss.req('POST', '/api/facilities/stock/faucet/receipts', { qty: 4, note: '采购入库' })).json.item).toMatchObject({ qty: 4, low: false });

    const submit = async () => (await teacher.req('POST', '/api/facilities/orders', { category: 'plumbing', building: 'dorm', place: '宿舍A栋', description: '水龙头坏了' })).json.order;
    const finish = async (id: number, qty: number) => {
      const accepted = (await aqua.req('POST', `/api/facilities/orders/${id}/accept`, { version: 2 })).json.order;
      return aqua.req('POST', `/api/facilities/orders/${id}/done`, { version: accepted.version, parts: [{ item: '水龙头', qty, stockItem: 'faucet' }] });
    };
    const first = await submit();
    const done = await finish(first.id, 3);
    expect(done.status).toBe(200);
    expect(done.json.order.parts).toEqual([{ item: '水龙头', qty: 3, unit: '个', stockItem: 'faucet' }]);
    expect((await boss.req('GET', '/api/facilities/stock')).json.items).toEqual([expect.objectContaining({ id: 'faucet', qty: 1, low: true })]);
    const lowAlerts = () => env.edge.store.events.list({ limit: 10, typePrefix: 'facilities.stock.low' });
    expect(lowAlerts()).toHaveLength(1);
    expect(lowAlerts()[0]!.data).toMatchObject({ itemId: 'faucet', qty: 1, minQty: 2 });

    // A second order wants 2 but 1 is left: refused, the order stays in progress, the stock stays at 1.
    const second = await submit();
    const short = await finish(second.id, 2);
    expect(short.status).toBe(409);
    expect(short.json.error.code).toBe('facilities.stock_short');
    expect(short.json.error.message['zh-CN']).toContain('库存只有 1个');
    const still = (await boss.req('GET', `/api/facilities/orders/${second.id}`)).json.order;
    expect(still).toMatchObject({ state: 'accepted', version: 3, parts: [] });
    expect((await boss.req('GET', '/api/facilities/stock/faucet/moves')).json.item.qty).toBe(1);
    expect((await boss.req('POST', '/api/facilities/stock/faucet/issues', { qty: 2 })).json.error.code).toBe('facilities.stock_short');

    // Restocked, the same step goes through; still one alert for that one crossing until it rises and falls again.
    await boss.req('POST', '/api/facilities/stock/faucet/receipts', { qty: 5 });
    expect((await aqua.req('POST', `/api/facilities/orders/${second.id}/done`, { version: 3, parts: [{ item: '水龙头', qty: 2, stockItem: 'faucet' }] })).status).toBe(200);
    const moves = (await boss.req('GET', '/api/facilities/stock/faucet/moves')).json;
    expect(moves.item.qty).toBe(4);
    expect(moves.moves.map((m: { kind: string; delta: number; orderId: number | null }) => [m.kind, m.delta, m.orderId])).toEqual([
      ['issue', -2, second.id],
      ['receipt', 5, null],
      ['issue', -3, first.id],
      ['receipt', 4, null],
    ]);
    expect(lowAlerts()).toHaveLength(1);
    expect((await boss.req('POST', '/api/facilities/stock/nope/receipts', { qty: 1 })).json.error.code).toBe('facilities.unknown_stock_item');
    expect((await aqua.req('POST', '/api/facilities/stock/faucet/receipts', { qty: 1 })).status).toBe(403);
  });
});
