import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQrOnPage, pdfText } from '../cards/fixtures.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { TagSigner } from '../../src/facilities/tags.js';
import { FakeTime, cst, makePng, startFacilitiesEdge, uploadPhoto } from './helpers.js';

/**
 * Inspection rounds on a real edge (HTTP API, SQLite) on fake time: checkpoints with
 * signed tags, a school-day round window 07:00–07:40, a red item that becomes a work
 * order, live results for the supervisor (socket.io), and the alerts at the window's end.
 */
const MONDAY = '2026-09-07';
const time = new FakeTime(cst(`${MONDAY} 06:00`));
let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;
const tags: Record<string, string> = {};
let live: Socket;
const seen: Array<{ type: string; reason: string; data: Record<string, unknown> }> = [];

const CHECKPOINTS = {
  'cp-gate': { name: '东门配电箱', building: 'teach', place: '教学楼东门', category: 'electrical', checklist: [
    { id: 'door', kind: 'check', label: '箱门关闭上锁', photo: 'on_fail' },
    { id: 'temp', kind: 'reading', label: '母排温度', unit: '°C', thresholds: { warnHigh: 50, alarmHigh: 70 } },
  ] },
  'cp-101': { name: '101教室', building: 'teach', place: '教学楼101', checklist: [{ id: 'lights', kind: 'check', label: '灯和空调已关', failResult: 'yellow' }] },
  'cp-roof': { name: '屋顶', building: 'teach', place: '教学楼屋顶', checklist: [{ id: 'pots', kind: 'check', label: '花盆已固定', photo: 'required' }] },
} as const;

beforeAll(async () => {
  env = await startFacilitiesEdge(time);
  for (const [id, cp] of Object.entries(CHECKPOINTS)) {
    const r = await env.boss.req('PUT', `/api/facilities/checkpoints/${id}`, cp);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.created).toBe(true);
    tags[id] = r.json.tag;
  }
  live = ioClient(env.edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: env.boss.cookie }, reconnection: false });
  live.on('event', (e: { type: string; reason: string; data: Record<string, unknown> }) => seen.push(e));
  await new Promise<void>((resolve, reject) => {
    live.once('connect', () => resolve());
    live.once('connect_error', reject);
  });
}, 60_000);

afterAll(async () => {
  live?.close();
  await env?.edge.cleanup();
});

const waitSeen = async (pred: (e: (typeof seen)[number]) => boolean) => {
  for (let i = 0; i < 200; i++) {
    const e = seen.find(pred);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('event not seen');
};

describe('checkpoint tags', () => {
  it('the tag payload is signed by this edge; a forged tag and a tag of another school are refused with clear texts', async () => {
    const tag = tags['cp-gate']!;
    expect(tag).toMatch(/^CT1:[^:]+:cp:cp-gate:[A-Za-z0-9_-]{22}$/);
    const again = await env.boss.req('GET', '/api/facilities/checkpoints/cp-gate/tag');
    expect(again.json.tag).toBe(tag);

    const ok = await env.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(tag)}`);
    expect(ok.status).toBe(200);
    expect(ok.json.checkpoint.id).toBe('cp-gate');

    // Same site, another checkpoint id with the gate's signature: forged.
    const forged = tag.replace(':cp-gate:', ':cp-101:');
    const f = await env.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(forged)}`);
    expect(f.status).toBe(400);
    expect(f.json.error.code).toBe('facilities.tag_forged');
    expect(f.json.error.message['zh-CN']).toContain('伪造');
    expect(f.json.error.message.en).toContain('forged');
    // A signature flipped by one character.
    const last = tag.at(-1) === 'A' ? 'B' : 'A';
    expect((await env.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(tag.slice(0, -1) + last)}`)).json.error.code).toBe('facilities.tag_forged');

    // A genuine tag of another school (its own key and site id).
    const other = new TagSigner('other-school', Buffer.alloc(32, 7)).sign('cp', 'cp-gate');
    const o = await env.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent(other)}`);
    expect(o.status).toBe(400);
    expect(o.json.error.code).toBe('facilities.tag_other_school');
    expect(o.json.error.message['zh-CN']).toContain('other-school');

    const junk = await env.inspector.req('GET', `/api/facilities/tags/resolve?tag=${encodeURIComponent('https://example.com/x')}`);
    expect(junk.json.error.code).toBe('facilities.tag_malformed');
    // Nothing was recorded by any of it; the edge still answers.
    expect((await env.boss.req('GET', '/api/facilities/checkpoints')).json.checkpoints).toHaveLength(3);
  });

  it('the printed tag sheet (the card sheets’ grid) carries QR codes a phone decodes back to the signed payloads', async () => {
    const res = await fetch(`${env.edge.httpUrl}/api/facilities/tag-sheets/checkpoints`, { headers: { cookie: env.boss.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'fac-tags-'));
    try {
      const file = join(dir, 'tags.pdf');
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      expect(pdfText(file)).toContain('东门配电箱');
      // zbar's exit is read as "nothing found", so a decoder starved by a loaded machine gets a second pass.
      const decoded = new Set(decodeQrOnPage(file, 1, dir));
      if (decoded.size < Object.keys(tags).length) for (const t of decodeQrOnPage(file, 1, dir)) decoded.add(t);
      expect([...decoded].sort()).toEqual(Object.values(tags).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const unknown = await env.boss.req('GET', '/api/facilities/tag-sheets/checkpoints?ids=cp-gate,nope');
    expect(unknown.json.error.code).toBe('facilities.unknown_checkpoint');
    expect((await env.inspector.req('GET', '/api/facilities/tag-sheets/checkpoints')).status).toBe(403);
  });

  it('only the supervisor manages checkpoints; a bad checklist is refused naming the field', async () => {
    expect((await env.inspector.req('PUT', '/api/facilities/checkpoints/cp-x', CHECKPOINTS['cp-101'])).status).toBe(403);
    const bad = await env.boss.req('PUT', '/api/facilities/checkpoints/cp-x', { ...CHECKPOINTS['cp-101'], checklist: [{ id: 'a', kind: 'reading', label: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message.en).toContain('thresholds');
    const missing = await env.boss.req('PUT', '/api/facilities/rounds/r-x', { name: 'x', checkpoints: ['nope'], window: { from: '07:00', until: '07:40' } });
    expect(missing.json.error.code).toBe('facilities.round_unknown_checkpoint');
  });
});

describe('a school-day morning round', () => {
  it('before the window nothing can be scanned', async () => {
    const r = await env.boss.req('PUT', '/api/facilities/rounds/morning', {
      name: '早间巡检',
      checkpoints: ['cp-gate', 'cp-101', 'cp-roof'],
      days: 'school',
      window: { from: '07:00', until: '07:40' },
    });
    expect(r.status).toBe(200);
    const early = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-gate'], answers: [{ item: 'door', pass: true }, { item: 'temp', value: 30 }] });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('facilities.no_open_round');
  });

  it('07:05 the run opens; scans answer red/yellow/green live; twice and out of order are told', async () => {
    await time.advanceTo(cst(`${MONDAY} 07:05`));
    const runs = await env.inspector.req('GET', '/api/facilities/runs');
    expect(runs.json.runs).toHaveLength(1);
    const runId = runs.json.runs[0].id;

    // 101 first: out of order (the round warns), yellow.
    const s101 = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-101'], answers: [{ item: 'lights', pass: false }] });
    expect(s101.status).toBe(201);
    expect(s101.json).toMatchObject({ result: 'yellow', outOfOrder: true, expected: 'cp-gate', orders: [] });
    // The same checkpoint again: refused, the first answer kept.
    const twice = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-101'], answers: [{ item: 'lights', pass: true }] });
    expect(twice.status).toBe(409);
    expect(twice.json.error.code).toBe('facilities.already_scanned');
    expect(twice.json.error.message['zh-CN']).toContain('inspector');
    expect(twice.json.error.message['zh-CN']).toContain(`已于 ${MONDAY} 07:05 由 inspector`);
    const run = await env.boss.req('GET', `/api/facilities/runs/${runId}`);
    expect(run.json.inspections).toHaveLength(1);
    expect(run.json.inspections[0].result).toBe('yellow');

    // The gate: door open (needs a photo when failing) and 75 °C (red).
    const noPhoto = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-gate'], answers: [{ item: 'door', pass: false }, { item: 'temp', value: 75 }] });
    expect(noPhoto.status).toBe(400);
    expect(noPhoto.json.error.code).toBe('facilities.photo_required');
    const incomplete = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-gate'], answers: [{ item: 'door', pass: false }] });
    expect(incomplete.json.error.code).toBe('facilities.answers_mismatch');
    const photo = await uploadPhoto(env.inspector, makePng(8, 6));
    expect(photo.status).toBe(201);
    const gate = await env.inspector.req('POST', '/api/facilities/inspections', {
      tag: tags['cp-gate'],
      answers: [{ item: 'door', pass: false, photo: photo.json.photo.id, note: '锁坏了' }, { item: 'temp', value: 75 }],
    });
    expect(gate.status).toBe(201);
    expect(gate.json.result).toBe('red');
    expect(gate.json.inspection.answers.map((a: { result: string }) => a.result)).toEqual(['red', 'red']);
    expect(gate.json.orders).toHaveLength(2);

    // The supervisor's live view got the red result.
    const ev = await waitSeen((e) => e.type === 'facilities.inspection.checkpoint' && e.data.checkpointId === 'cp-gate');
    expect(ev.data.result).toBe('red');
    expect(ev.reason).toBe('facilities.checkpoint.red');

    // The door became a work order with the photo and the place, dispatched to the electrician on duty.
    const order = (await env.boss.req('GET', `/api/facilities/orders/${gate.json.orders[0]}`)).json.order;
    expect(order).toMatchObject({ state: 'dispatched', category: 'electrical', building: 'teach', place: '教学楼东门', assignee: 'elec', requester: 'inspector', source: 'inspection' });
    expect(order.photos).toEqual([photo.json.photo.id]);
    expect(order.steps.map((s: { action: string; actor: string }) => `${s.action}:${s.actor}`)).toEqual(['submit:inspector', 'dispatch:system']);
  });

  it('the run closes at 07:55 (window end + grace): the skipped roof is missed, 101 was out of order', async () => {
    const before = seen.length;
    await time.advanceTo(cst(`${MONDAY} 07:54`));
    expect((await env.inspector.req('GET', '/api/facilities/runs')).json.runs).toHaveLength(1);
    await time.advanceTo(cst(`${MONDAY} 07:56`));
    const alerts = env.edge.store.events.list({ limit: 50, typePrefix: 'facilities.inspection.alert' });
    expect(alerts.map((e) => `${e.reason}:${e.subject}`).sort()).toEqual(['facilities.round.missed:cp-roof', 'facilities.round.out_of_order:cp-101']);
    const closed = env.edge.store.events.list({ limit: 5, typePrefix: 'facilities.inspection.round_closed' });
    expect(closed[0]!.data).toMatchObject({ total: 3, done: 2, missed: 1, outOfOrder: 1 });
    expect((await env.inspector.req('GET', '/api/facilities/runs')).json.runs).toHaveLength(0);
    await waitSeen((e) => e.type === 'facilities.inspection.alert' && e.data.checkpointId === 'cp-roof');
    expect(seen.length).toBeGreaterThan(before);
    // After the window: scanning is refused again.
    const late = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-roof'], answers: [{ item: 'pots', pass: true }] });
    expect(late.json.error.code).toBe('facilities.no_open_round');
  });

  it('a late scan counts as late; Saturday has no run (school days only); a strict round refuses out of order', async () => {
    await time.advanceTo(cst('2026-09-08 07:41'));
    await env.relogin();
    const photo = await uploadPhoto(env.inspector, makePng());
    const lateScan = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-gate'], answers: [{ item: 'door', pass: true }, { item: 'temp', value: 55 }] });
    expect(lateScan.status).toBe(201);
    expect(lateScan.json).toMatchObject({ result: 'yellow', late: true });
    const roof = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-roof'], answers: [{ item: 'pots', pass: true, photo: photo.json.photo.id }] });
    expect(roof.json).toMatchObject({ result: 'green', outOfOrder: true });
    await time.advanceTo(cst('2026-09-12 07:10'));
    await env.relogin();
    const sat = env.edge.store.events.list({ limit: 50, typePrefix: 'facilities.inspection.round_opened' });
    expect(sat.map((e) => (e.data as { runId: number }).runId)).toHaveLength(5); // Mon–Fri

    // An extra strict round (the supervisor's weather warning) refuses a skipped checkpoint.
    await env.boss.req('PUT', '/api/facilities/rounds/storm', { name: '台风前巡检', checkpoints: ['cp-roof', 'cp-101'], days: 'none', window: { from: '00:00', until: '24:00' }, order: 'strict' });
    const extra = await env.boss.req('POST', '/api/facilities/rounds/storm/extra', { minutes: 30, reason: '台风预警' });
    expect(extra.status).toBe(201);
    const skip = await env.inspector.req('POST', '/api/facilities/inspections', { tag: tags['cp-101'], answers: [{ item: 'lights', pass: true }] });
    expect(skip.status).toBe(409);
    expect(skip.json.error.code).toBe('facilities.out_of_order');
    expect(skip.json.error.message['zh-CN']).toContain('屋顶');
  });
});
