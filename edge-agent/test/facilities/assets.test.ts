import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import type { FacilitiesDomain } from '../../src/facilities/domain.js';
import { TagSigner } from '../../src/facilities/tags.js';
import { FakeTime, cst, startFacilitiesEdge } from './helpers.js';

/**
 * Assets and stock-take on a real edge (HTTP API, SQLite): register and lifecycle with
 * history and depreciation, the Excel ledger imported all-or-nothing, and a stock-take
 * with a missing and a moved asset, duplicates counted once and concurrent scanners.
 */
const time = new FakeTime(cst('2026-09-07 09:00'));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;
const signer = () => (env.edge.domains.get('facilities') as FacilitiesDomain).services!.tags;

beforeAll(async () => {
  env = await startFacilitiesEdge(time, { depreciation: { computer: { years: 5, residualPercent: 5 } } });
}, 60_000);

afterAll(async () => {
  await env?.edge.cleanup();
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
async function importSheet(rows: Array<Array<string | number | null>>) {
  const bytes = await writeWorkbook([{ name: '资产台账', rows }]);
  const res = await fetch(env.edge.httpUrl + '/api/facilities/assets/import', {
    method: 'POST',
    headers: { cookie: env.boss.cookie, 'x-csrf-token': env.boss.csrf, 'content-type': XLSX },
    body: bytes,
  });
  return { status: res.status, json: await res.json() };
}
const HEADER = ['资产编号', '名称', '类别', '购置日期', '原值', '保修截止', '楼宇', '房间'];
const count = () => (env.edge.store.db.prepare('SELECT count(*) AS n FROM fac_assets').get() as { n: number }).n;

describe('the asset register', () => {
  it('a projector: registered, issued to a room, transferred, repaired, disposed with approval; history and book value', async () => {
    const r = await env.boss.req('POST', '/api/facilities/assets', { code: 'PJ-001', name: '投影仪', category: 'computer', purchaseDate: '2024-09-07', price: 10000, warrantyEnd: '2027-09-06' });
    expect(r.status).toBe(201);
    expect(r.json.asset.state).toBe('in_stock');
    expect(r.json.tag).toMatch(/^CT1:[^:]+:as:PJ-001:/);
    expect((await env.boss.req('POST', '/api/facilities/assets', { code: 'PJ-001', name: '重复', category: 'computer' })).json.error.code).toBe('facilities.asset_exists');

    const step = async (action: string, body: Record<string, unknown>) => (await env.boss.req('POST', `/api/facilities/assets/PJ-001/${action}`, body)).json;
    expect((await step('issue', { building: 'teach', room: 'r101' })).asset).toMatchObject({ state: 'issued', room: 'r101' });
    expect((await step('transfer', { room: 'r102', custodian: '王老师' })).asset).toMatchObject({ state: 'issued', room: 'r102', custodian: '王老师' });
    expect((await step('repair', { orderId: 1 })).asset.state).toBe('under_repair');
    expect((await step('issue', { room: 'r103' })).error.code).toBe('facilities.asset_bad_transition');
    expect((await step('repaired', {})).asset).toMatchObject({ state: 'issued', room: 'r102' });
    const noApproval = await step('dispose', { note: '灯泡老化' });
    expect(noApproval.error.code).toBe('facilities.asset_needs');
    expect(noApproval.error.message['zh-CN']).toContain('approvedBy');

    const one = (await env.boss.req('GET', '/api/facilities/assets/PJ-001')).json;
    // Two years of five, from 10 000 down to a 500 residual: 10 000 − 9 500 × 2/5 = 6 200 (±1 for the leap day).
    expect(one.bookValue).toBeGreaterThan(6195);
    expect(one.bookValue).toBeLessThan(6205);
    expect(one.underWarranty).toBe(true);
    expect((await step('dispose', { approvedBy: '李校长', note: '灯泡老化' })).asset.state).toBe('disposed');
    const history = (await env.boss.req('GET', '/api/facilities/assets/PJ-001')).json.history;
    expect(history.map((h: { action: string; to: string }) => `${h.action}→${h.to}`)).toEqual([
      'register→in_stock',
      'issue→issued',
      'transfer→issued',
      'repair→under_repair',
      'repaired→issued',
      'dispose→disposed',
    ]);
    expect(history[2].data).toMatchObject({ fromRoom: 'r101', room: 'r102' });
    expect((await env.teacher.req('GET', '/api/facilities/assets')).status).toBe(403);
  });

  it('a fault reported by scanning the asset’s tag links the order to it, with the warranty shown', async () => {
    const reg = await env.boss.req('POST', '/api/facilities/assets', { code: 'AC-007', name: '空调', category: 'hvac', model: 'KFR-35', warrantyEnd: '2027-06-30', building: 'annex', room: 'a201' });
    const r = await env.teacher.req('POST', '/api/facilities/orders', { category: 'hvac', building: 'teach', place: '201教室', description: '空调不制冷', assetTag: reg.json.tag });
    expect(r.status).toBe(201);
    expect(r.json.order.asset).toBe('AC-007');
    expect(r.json.asset).toEqual({ code: 'AC-007', name: '空调', warrantyEnd: '2027-06-30', underWarranty: true });
    expect((await env.teacher.req('GET', `/api/facilities/orders/${r.json.order.id}`)).json.asset).toMatchObject({ code: 'AC-007', model: 'KFR-35', underWarranty: true });
    const asset = (await env.boss.req('GET', '/api/facilities/assets/AC-007')).json;
    expect(asset.orders.map((o: { id: number }) => o.id)).toEqual([r.json.order.id]);
    expect(asset.history.map((h: { action: string }) => h.action)).toEqual(['register', 'order']);
    // A forged asset tag, or the genuine tag of an asset not in the register: refused, no order.
    const before = (await env.boss.req('GET', '/api/facilities/orders')).json.orders.length;
    const forged = await env.teacher.req('POST', '/api/facilities/orders', { category: 'hvac', building: 'teach', place: 'x', description: 'y', assetTag: reg.json.tag.replace(':AC-007:', ':AC-008:') });
    expect(forged.json.error.code).toBe('facilities.tag_forged');
    const unknown = await env.teacher.req('POST', '/api/facilities/orders', { category: 'hvac', building: 'teach', place: 'x', description: 'y', assetTag: signer().sign('as', 'AC-999') });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('facilities.unknown_asset');
    expect((await env.boss.req('GET', '/api/facilities/orders')).json.orders).toHaveLength(before);
  });

  it('an Excel ledger with duplicate codes or bad dates is refused row by row and nothing is stored; a good one is imported whole', async () => {
    const before = count();
    const bad = await importSheet([
      HEADER,
      ['PC-001', '电脑', 'computer', '2025-03-01', 5000, '', 'teach', 'r101'],
      ['PC-002', '电脑', 'computer', '2025-02-30', 5000, '', 'teach', 'r101'],
      ['PC-001', '电脑', 'computer', '2025-03-01', 5000, '', 'teach', 'r102'],
      ['PC-003', '电脑', 'computer', '明天', 5000, '', 'teach', 'r102'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('facilities.import_rejected');
    expect(bad.json.error.message['zh-CN']).toContain('3 行错误');
    expect(bad.json.error.details.rows.map((r: { row: number }) => r.row)).toEqual([3, 4, 5]);
    expect(bad.json.error.details.rows[1].message).toContain('duplicate of row 2');
    expect(count()).toBe(before);

    const notSheet = await fetch(env.edge.httpUrl + '/api/facilities/assets/import', {
      method: 'POST',
      headers: { cookie: env.boss.cookie, 'x-csrf-token': env.boss.csrf, 'content-type': XLSX },
      body: 'code,name\nA,B\n',
    });
    expect(notSheet.status).toBe(400);
    expect(((await notSheet.json()) as { error: { code: string } }).error.code).toBe('facilities.import_not_sheet');

    const good = await importSheet([
      HEADER,
      ['A-1', '课桌', 'furniture', '2025-03-01', 300, '', 'teach', 'r101'],
      ['A-2', '课桌', 'furniture', '2025-03-01', 300, '', 'teach', 'r101'],
      ['A-3', '讲台', 'furniture', '2025-03-01', 800, '', 'teach', 'r102'],
      ['A-4', '柜子', 'furniture', '2025-03-01', 600, '', 'teach', 'r102'],
      ['B-1', '床', 'furniture', '2025-03-01', 900, '', 'dorm', 'd201'],
    ]);
    expect(good.status, JSON.stringify(good.json)).toBe(200);
    expect(good.json.imported).toBe(5);
    expect(count()).toBe(before + 5);
  });
});

describe('a stock-take of the teaching building', () => {
  it('found, moved, missing, not registered, out of scope; duplicates and concurrent scans count once', async () => {
    const st = await env.boss.req('POST', '/api/facilities/stocktakes', { name: '期末盘点', building: 'teach' });
    expect(st.status).toBe(201);
    expect(st.json.stocktake.expected).toBe(4);
    const id = st.json.stocktake.id;
    const room = (await env.boss.req('GET', '/api/facilities/rooms/r101/tag')).json.tag;
    const assetTag = async (code: string) => signer().sign('as', code);
    const scan = (who: typeof env.boss, tag: string, r = room) => who.req('POST', `/api/facilities/stocktakes/${id}/scans`, { room: r, tag });

    expect((await scan(env.inspector, await assetTag('A-1'))).json).toMatchObject({ code: 'A-1', outcome: 'found', duplicate: false });
    expect((await scan(env.inspector, await assetTag('A-3'))).json).toMatchObject({ code: 'A-3', outcome: 'moved', registeredRoom: 'r102' });
    expect((await scan(env.inspector, await assetTag('B-1'))).json.outcome).toBe('out_of_scope');
    expect((await scan(env.inspector, await assetTag('GHOST-9'))).json.outcome).toBe('not_registered');
    // The same desk again, and ten scans of another from two phones at once.
    expect((await scan(env.inspector, await assetTag('A-1'))).json).toMatchObject({ outcome: 'found', duplicate: true });
    const a2 = await assetTag('A-2');
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => scan(i % 2 ? env.boss : env.inspector, a2)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(burst.filter((r) => r.json.duplicate === false)).toHaveLength(1);
    // Forged and foreign tags are refused and change nothing.
    const forged = (await assetTag('A-4')).replace(':A-4:', ':A-9:');
    expect((await scan(env.inspector, forged)).json.error.code).toBe('facilities.tag_forged');
    const foreign = new TagSigner('other-school', Buffer.alloc(32, 1)).sign('as', 'A-4');
    expect((await scan(env.inspector, foreign)).json.error.code).toBe('facilities.tag_other_school');

    const live = (await env.inspector.req('GET', `/api/facilities/stocktakes/${id}`)).json;
    expect(live.counts).toEqual({ expected: 4, scanned: 5, found: 2, moved: 1, missing: 1, notRegistered: 1, outOfScope: 1 });
    expect(live.missing).toEqual([{ code: 'A-4', room: 'r102' }]);
    expect(live.moved).toEqual([{ code: 'A-3', room: 'r101', registeredRoom: 'r102' }]);
    expect(live.neverAudited).toEqual(['A-1', 'A-2', 'A-3', 'A-4']);

    const final = await env.boss.req('POST', `/api/facilities/stocktakes/${id}/close`);
    expect(final.json.counts.missing).toBe(1);
    expect((await scan(env.inspector, await assetTag('A-4'))).json.error.code).toBe('facilities.stocktake_closed');
    // The next stock-take knows which were never audited: only the missing one.
    const next = (await env.boss.req('POST', '/api/facilities/stocktakes', { name: '复盘', building: 'teach' })).json.stocktake.id;
    expect((await env.boss.req('GET', `/api/facilities/stocktakes/${next}`)).json.neverAudited).toEqual(['A-4']);
  });
});

describe('warranty', () => {
  it('ends on the school’s calendar: at 07:00 the day after its last day it is over (UTC still says the day before)', async () => {
    await env.boss.req('POST', '/api/facilities/assets', { code: 'PJ-W1', name: '投影仪', category: 'av', warrantyEnd: '2026-09-30', building: 'teach', room: 'r301' });
    const underWarranty = async () => (await env.boss.req('GET', '/api/facilities/assets/PJ-W1')).json.underWarranty;
    await time.advanceTo(cst('2026-09-30 23:00'));
    await env.relogin();
    expect(await underWarranty()).toBe(true);
    await time.advanceTo(cst('2026-10-01 07:00'));
    expect(await underWarranty()).toBe(false);
  });
});
