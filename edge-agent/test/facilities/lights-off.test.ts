import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, NoAnswerError } from '../../src/core/bus.js';
import { ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import { startSimCampus, type SimCampus } from '../energy/helpers/campus-sim.js';
import { PASSWORD, makePng, uploadPhoto } from './helpers.js';

/**
 * "Lights and AC off after school" from an inspection checklist: facilities asks the
 * energy domain over the edge's bus (no import between the domains) for the room's live
 * power and to switch its circuits off. A real edge, meters and a relay board simulated
 * behind a real Modbus TCP server; the switch is audited as the inspector's manual switch.
 */
let sim: SimCampus;
let edge: Awaited<ReturnType<typeof startTestEdge>>;
let boss: ApiClient;
let inspector: ApiClient;
let tag101: string;

const relay = (ch: number) => sim.relay(10).states[ch - 1];

beforeAll(async () => {
  sim = await startSimCampus({ meters: [{ unit: 2, model: 'eastron-sdm120', baseLoadW: 1200 }], relays: [{ unit: 10, channels: 8 }] });
  edge = await startTestEdge(
    {
      site: { id: 'demo-school', name: '示范中学' },
      energy: {
        enabled: true,
        buildings: [{ id: 'teach', name: '教学楼' }],
        rooms: [
          { id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' },
          { id: 'r102', name: '102教室', building: 'teach', kind: 'classroom' },
        ],
        buses: [
          {
            id: 'gw',
            transport: { kind: 'tcp', host: '127.0.0.1', port: sim.slave.port },
            timeoutMs: 300,
            meters: [{ id: 'm-101', name: '101电表', unit: 2, model: 'eastron-sdm120', building: 'teach', room: 'r101', intervals: { fastMs: 300, slowMs: 1000 } }],
            relays: [{ id: 'relay-a', name: '教学楼继电器箱', unit: 10, channels: 8 }],
          },
        ],
        circuits: [
          { id: 'r101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } },
          { id: 'r101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: 2 } },
          { id: 'r102-light', name: '102照明', building: 'teach', room: 'r102', kind: 'lighting', relay: { board: 'relay-a', channel: 3 } },
        ],
        control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 1, overrideDefaultMinutes: 60 },
      },
      facilities: { enabled: true, supervisors: ['boss'] },
    },
    {
      users: [
        { username: 'boss', password: PASSWORD, roles: ['facility'] },
        { username: 'inspector', password: PASSWORD, roles: ['staff'] },
      ],
      energy: { pollTickMs: 100 },
    },
  );
  boss = new ApiClient(edge.httpUrl);
  inspector = new ApiClient(edge.httpUrl);
  expect((await boss.login('boss', PASSWORD)).status).toBe(200);
  expect((await inspector.login('inspector', PASSWORD)).status).toBe(200);
  const cp = await boss.req('PUT', '/api/facilities/checkpoints/cp-101', {
    name: '101教室',
    building: 'teach',
    place: '教学楼101',
    checklist: [{ id: 'off', kind: 'check', label: '灯和空调已关', failResult: 'yellow', room: 'r101' }],
  });
  expect(cp.status, JSON.stringify(cp.json)).toBe(200);
  tag101 = cp.json.tag;
  await boss.req('PUT', '/api/facilities/rounds/evening', { name: '放学后巡检', checkpoints: ['cp-101'], days: 'none', window: { from: '00:00', until: '24:00' } });
  expect((await boss.req('POST', '/api/facilities/rounds/evening/extra', { minutes: 60 })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await edge?.cleanup();
  await sim?.close();
});

describe('lights and AC off from the checklist', () => {
  it('reads the room’s live power and circuits through the energy domain', async () => {
    sim.relay(10).states.fill(true, 0, 3); // someone left everything on
    const power = await waitFor(async () => {
      const r = await inspector.req('GET', '/api/facilities/rooms/r101/power?checkpointId=cp-101');
      return r.status === 200 && r.json.watts !== null && r.json.circuits.every((c: { on: boolean | null }) => c.on === true) ? r.json : null;
    }, 15_000, 200);
    expect(power).toMatchObject({ room: 'r101', name: '101教室', building: 'teach', allOff: false });
    expect(power.watts).toBeGreaterThan(500);
    expect(power.circuits.map((c: { id: string }) => c.id).sort()).toEqual(['r101-ac', 'r101-light']);
  });

  it('switches the room’s circuits off as the inspector’s manual switch; the other room stays on', async () => {
    const r = await inspector.req('POST', '/api/facilities/rooms/r101/switch-off', { checkpointId: 'cp-101' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.results.map((x: { circuit: string; outcome: string }) => [x.circuit, x.outcome]).sort()).toEqual([
      ['r101-ac', 'confirmed'],
      ['r101-light', 'confirmed'],
    ]);
    expect([relay(1), relay(2), relay(3)]).toEqual([false, false, true]);
    expect(r.json.power.allOff).toBe(true);
    // The energy domain audited it as a manual switch by the inspector, with a hold; the facilities call is audited too.
    const audit = edge.store.audit.list(50);
    const switches = audit.filter((a) => a.action === 'energy.circuit.switch');
    expect(switches.map((a) => [a.actor, a.target]).sort()).toEqual([
      ['inspector', 'r101-ac'],
      ['inspector', 'r101-light'],
    ]);
    expect(switches[0]!.detail).toMatchObject({ on: false, why: 'facilities:cp-101', hold: 60 });
    expect(audit.some((a) => a.action === 'facilities.room.switch_off' && a.actor === 'inspector')).toBe(true);
    const state = (await boss.req('GET', '/api/energy/circuits')).json.circuits.find((c: { id: string }) => c.id === 'r101-light');
    expect(state.lastChange).toMatchObject({ by: { kind: 'user', id: 'inspector' }, why: 'facilities:cp-101' });

    // The check is then answered (the phone pre-fills pass from allOff) and recorded green.
    const done = await inspector.req('POST', '/api/facilities/inspections', { tag: tag101, answers: [{ item: 'off', pass: true }] });
    expect(done.status, JSON.stringify(done.json)).toBe(201);
    expect(done.json.result).toBe('green');
  });

  it('refuses rooms no checklist item names, unknown rooms and bad input, with clear texts', async () => {
    const other = await inspector.req('POST', '/api/facilities/rooms/r102/switch-off', { checkpointId: 'cp-101' });
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('facilities.room_not_in_checklist');
    expect(other.json.error.message['zh-CN']).toContain('r102');
    expect(relay(3)).toBe(true);
    const unknownCp = await inspector.req('GET', '/api/facilities/rooms/r101/power?checkpointId=nope');
    expect(unknownCp.status).toBe(403);
    const missing = await inspector.req('POST', '/api/facilities/rooms/r101/switch-off', {});
    expect(missing.status).toBe(400);
    const badRoom = await inspector.req('POST', '/api/facilities/rooms/..%2Fx/switch-off', { checkpointId: 'cp-101' });
    expect(badRoom.status).toBe(400);

    // A checklist naming a room the energy domain does not know: 404 in words, nothing switched.
    await boss.req('PUT', '/api/facilities/checkpoints/cp-ghost', { name: '旧楼', building: 'teach', place: '旧楼', checklist: [{ id: 'off', kind: 'check', label: '灯已关', room: 'r999' }] });
    const ghost = await inspector.req('POST', '/api/facilities/rooms/r999/switch-off', { checkpointId: 'cp-ghost' });
    expect(ghost.status).toBe(404);
    expect(ghost.json.error.code).toBe('facilities.energy_unknown_room');
    expect(ghost.json.error.message.en).toContain('r999');
    // The edge still answers.
    expect((await uploadPhoto(inspector, makePng())).status).toBe(201);
  });
});

describe('the bus request channel', () => {
  it('one answerer per request; asking with none is NoAnswerError; an answerer’s error reaches the asker', async () => {
    const bus = new EventBus({ error: () => undefined } as never);
    await expect(bus.request('energy.room.power', { room: 'x' })).rejects.toBeInstanceOf(NoAnswerError);
    const off = bus.answer('energy.room.power', ({ room }) => (room === 'x' ? { room, name: 'X', building: 'b', watts: 5, circuits: [], allOff: false } : null));
    expect(() => bus.answer('energy.room.power', () => null)).toThrow(/already answered/);
    expect(await bus.request('energy.room.power', { room: 'x' })).toMatchObject({ watts: 5 });
    expect(await bus.request('energy.room.power', { room: 'y' })).toBeNull();
    off();
    await expect(bus.request('energy.room.power', { room: 'x' })).rejects.toBeInstanceOf(NoAnswerError);
    bus.answer('energy.room.switchOff', () => Promise.reject(new Error('relay board offline')));
    await expect(bus.request('energy.room.switchOff', { room: 'x', actor: 'a', why: 'w' })).rejects.toThrow('relay board offline');
  });
});

describe('energy not running', () => {
  it('facilities answers 503 in words when no domain answers', async () => {
    const bare = await startTestEdge({ facilities: { enabled: true } }, { users: [{ username: 'boss', password: PASSWORD, roles: ['facility'] }] });
    try {
      const c = new ApiClient(bare.httpUrl);
      await c.login('boss', PASSWORD);
      await c.req('PUT', '/api/facilities/checkpoints/cp-101', { name: '101教室', building: 'teach', place: '101', checklist: [{ id: 'off', kind: 'check', label: '灯已关', room: 'r101' }] });
      const r = await c.req('GET', '/api/facilities/rooms/r101/power?checkpointId=cp-101');
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('facilities.energy_unavailable');
      expect(r.json.error.message['zh-CN']).toContain('能耗模块未运行');
    } finally {
      await bare.cleanup();
    }
  });
});
