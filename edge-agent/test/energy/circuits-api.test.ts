import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { EnergyConfigInput } from '../../src/energy/config.js';
import { ADMIN, ApiClient, connectMqtt, nextMessage, startTestEdge, waitFor } from '../helpers/edge.js';
import { startSimCampus, type SimCampus } from './helpers/campus-sim.js';
import { energyServices } from './helpers/services.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

const FACILITY = { username: 'houqin', password: 'facility-pass-1', roles: ['facility' as const] };
const GUARD = { username: 'guard1', password: 'guard-password-1', roles: ['security' as const] };
const OPERATOR = { clientId: 'ops-desk', password: 'operator-secret-01', role: 'operator' as const };
const OBSERVER = { clientId: 'ha-viewer', password: 'observer-secret-01', role: 'observer' as const };

function energy(port: number): EnergyConfigInput {
  return {
    enabled: true,
    buildings: [
      { id: 'teach', name: '教学楼' },
      { id: 'lab', name: '实验楼' },
    ],
    rooms: [
      { id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' },
      { id: 'lab1', name: '物理实验室', building: 'lab', kind: 'lab' },
    ],
    buses: [{ id: 'bus-a', transport: { kind: 'tcp', host: '127.0.0.1', port }, timeoutMs: 200, reconnect: { minDelayMs: 50, maxDelayMs: 200 }, relays: [{ id: 'relay-a', unit: 10, channels: 8 }] }],
    circuits: [
      { id: 'c101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } },
      { id: 'c101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: 2 } },
      { id: 'teach-corridor', name: '教学楼走廊灯', building: 'teach', kind: 'lighting', relay: { board: 'relay-a', channel: 3 } },
      { id: 'lab1-socket', name: '实验室插座', building: 'lab', room: 'lab1', kind: 'socket', relay: { board: 'relay-a', channel: 4 } },
    ],
    control: { retries: 2, retryDelayMs: 0, stateReadSeconds: 1, overrideDefaultMinutes: 30 },
  };
}

let sim: SimCampus;
let edge: TestEdge;
let facility: ApiClient;
let operator: MqttClient;
let observer: MqttClient;

beforeAll(async () => {
  sim = await startSimCampus({ relays: [{ unit: 10, channels: 8 }] });
  edge = await startTestEdge({ energy: energy(sim.slave.port) }, { users: [FACILITY, GUARD], mqttClients: [OPERATOR, OBSERVER] });
  facility = new ApiClient(edge.httpUrl);
  expect((await facility.login(FACILITY.username, FACILITY.password)).status).toBe(200);
  operator = await connectMqtt(edge.mqtt.port, { clientId: OPERATOR.clientId, username: OPERATOR.clientId, password: OPERATOR.password });
  observer = await connectMqtt(edge.mqtt.port, { clientId: OBSERVER.clientId, username: OBSERVER.clientId, password: OBSERVER.password });
  await waitFor(() => energyServices(edge).circuits.state('c101-light')?.on === false);
});

afterAll(async () => {
  operator?.end(true);
  observer?.end(true);
  await edge?.cleanup();
  await sim?.close();
});

const relay = (ch: number) => sim.relay(10).states[ch - 1];

describe('circuits from the API', () => {
  it('switches a circuit, reads it back, holds schedules off and publishes the state retained', async () => {
    const r = await facility.req('POST', '/api/energy/circuits/c101-light/switch', { on: true, reason: '开会' });
    expect(r.status).toBe(200);
    expect(r.json.result).toMatchObject({ outcome: 'confirmed', attempts: 1, actual: true });
    expect(r.json.circuit).toMatchObject({ on: true, desired: true, confirmed: true, override: { on: true, by: 'houqin' } });
    expect(relay(1)).toBe(true);
    // A client subscribing later gets the retained state.
    observer.subscribe('campus/energy/circuit/c101-light/state');
    const msg = await nextMessage(observer, (t) => t === 'campus/energy/circuit/c101-light/state');
    expect(msg.retain).toBe(true);
    expect(JSON.parse(msg.payload.toString())).toMatchObject({ id: 'c101-light', on: true, kind: 'lighting', building: 'teach', room: 'r101', lastChange: { by: { kind: 'user', id: 'houqin' }, why: '开会' } });
    const log = await facility.req('GET', '/api/energy/switch-log?circuit=c101-light&limit=5');
    expect(log.json.entries[0]).toMatchObject({ on: true, actor: { kind: 'user', id: 'houqin' }, why: '开会', outcome: 'confirmed' });
    const audit = edge.store.audit.list(20).find((a) => a.action === 'energy.circuit.switch');
    expect(audit).toMatchObject({ actor: 'houqin', target: 'c101-light', detail: { on: true, why: '开会', outcome: 'confirmed' } });
    expect((await facility.req('DELETE', '/api/energy/circuits/c101-light/override')).status).toBe(204);
    expect(energyServices(edge).circuits.state('c101-light')!.override).toBeNull();
  });

  it('retries a command the read-back contradicts, then raises an alarm; a later confirmed command clears it', async () => {
    sim.relay(10).stuck.add(1); // channel 2: a welded contact
    const r = await facility.req('POST', '/api/energy/circuits/c101-ac/switch', { on: true });
    expect(r.json.result).toMatchObject({ outcome: 'mismatch', attempts: 3, actual: false });
    const writes = sim.relay(10).commands.filter((c) => c.functionCode === 5 && c.address === 1);
    expect(writes).toHaveLength(3);
    const alarms = (await facility.req('GET', '/api/energy/alarms')).json.alarms as Array<{ id: string; rule: string; subject: string; state: string; severity: string; text: { 'zh-CN': string } }>;
    const alarm = alarms.find((a) => a.rule === 'circuit_mismatch' && a.subject === 'c101-ac')!;
    expect(alarm).toMatchObject({ state: 'active', severity: 'warning' });
    expect(alarm.text['zh-CN']).toContain('101空调');
    observer.subscribe(`campus/alarms/${alarm.id}`);
    const retained = await nextMessage(observer, (t) => t === `campus/alarms/${alarm.id}`);
    expect(retained.retain).toBe(true);
    expect(JSON.parse(retained.payload.toString())).toMatchObject({ rule: 'circuit_mismatch', state: 'active', acknowledged: false });
    const events = edge.store.events.list({ typePrefix: 'alarm.energy.raised', limit: 5 });
    expect(events[0]).toMatchObject({ reason: 'alarm.circuit_mismatch.raised', subject: 'c101-ac', priority: 0 });

    sim.relay(10).stuck.clear();
    const cleared = nextMessage(observer, (t) => t === `campus/alarms/${alarm.id}`);
    expect((await facility.req('POST', '/api/energy/circuits/c101-ac/switch', { on: true })).json.result.outcome).toBe('confirmed');
    expect(JSON.parse((await cleared).payload.toString())).toMatchObject({ state: 'cleared', acknowledged: false });
    // Acknowledged and cleared: closed, and the retained topic is emptied.
    const closed = nextMessage(observer, (t) => t === `campus/alarms/${alarm.id}`);
    const ack = await facility.req('POST', `/api/energy/alarms/${alarm.id}/ack`, { note: '已更换接触器' });
    expect(ack.json.alarm).toMatchObject({ state: 'cleared', acknowledged: true, acknowledgedBy: 'houqin' });
    expect((await closed).payload.length).toBe(0);
    expect((await facility.req('POST', `/api/energy/alarms/${alarm.id}/ack`, {})).status).toBe(409);
    const open = (await facility.req('GET', '/api/energy/alarms')).json.alarms as Array<{ id: string }>;
    expect(open.find((a) => a.id === alarm.id)).toBeUndefined();
    const transitions = edge.store.events.list({ typePrefix: 'alarm.energy.', limit: 10 }).filter((e) => e.data.alarmId === alarm.id).map((e) => e.type);
    expect(transitions.sort()).toEqual(['alarm.energy.acknowledged', 'alarm.energy.cleared', 'alarm.energy.raised']);
  });

  it('asks for confirmation before switching a whole building', async () => {
    const ask = await facility.req('POST', '/api/energy/switch', { on: false, target: { buildings: ['teach'] } });
    expect(ask.status).toBe(409);
    expect(ask.json.error.code).toBe('energy.confirm_required');
    expect(ask.json.error.details).toMatchObject({ count: 3 });
    expect(ask.json.error.message['zh-CN']).toContain('3 路');
    const done = await facility.req('POST', '/api/energy/switch', { on: false, target: { buildings: ['teach'] }, confirm: true, reason: '放学' });
    expect(done.status).toBe(200);
    expect(done.json.results.map((r: { circuit: string; outcome: string }) => [r.circuit, r.outcome]).sort()).toEqual([
      ['c101-ac', 'confirmed'],
      ['c101-light', 'confirmed'],
      ['teach-corridor', 'confirmed'],
    ]);
    expect([relay(1), relay(2), relay(3)]).toEqual([false, false, false]);
    expect((await facility.req('POST', '/api/energy/switch', { on: false, target: { buildings: ['nowhere'] }, confirm: true })).status).toBe(404);
  });

  it('validates bodies (400), knows its circuits (404) and roles (403)', async () => {
    for (const body of [{ on: 'yes' }, { on: true, holdMinutes: -1 }, { on: true, extra: 1 }, {}]) {
      const r = await facility.req('POST', '/api/energy/circuits/c101-light/switch', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('request.invalid');
    }
    expect((await facility.req('POST', '/api/energy/circuits/c101-light/switch', '{"on": tru', {})).status).toBe(400);
    expect((await facility.req('POST', '/api/energy/circuits/no-such/switch', { on: true })).status).toBe(404);
    expect((await facility.req('GET', '/api/energy/series?scope=building&id=teach&granularity=week&from=2026-03-01&to=2026-03-02')).status).toBe(400);
    expect((await facility.req('GET', '/api/energy/series?scope=building&id=teach&granularity=hour&from=2026-01-01&to=2026-03-02')).status).toBe(400);
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD.username, GUARD.password);
    expect((await guard.req('POST', '/api/energy/circuits/c101-light/switch', { on: true })).status).toBe(403);
    expect((await guard.req('GET', '/api/energy/circuits')).status).toBe(403);
    // Guards see and acknowledge alarms (electrical fire), nothing else.
    expect((await guard.req('GET', '/api/energy/alarms')).status).toBe(200);
    const admin = new ApiClient(edge.httpUrl);
    await admin.login(ADMIN.username, ADMIN.password);
    expect((await admin.req('GET', '/api/energy/circuits')).status).toBe(200);
  });

  it('adopts a change made at the board itself and records it', async () => {
    sim.relay(10).states[3] = true; // someone flipped the lab sockets by hand
    await waitFor(() => energyServices(edge).circuits.state('lab1-socket')?.on === true, 5000);
    const e = edge.store.events.list({ typePrefix: 'energy.circuit.changed', limit: 1 })[0]!;
    expect(e).toMatchObject({ reason: 'energy.circuit.changed_externally', subject: 'lab1-socket', data: { actual: 'ON', board: 'relay-a' } });
  });
});

describe('circuits from MQTT', () => {
  it('an operator switches with "ON"/"OFF" or JSON; the state comes back retained', async () => {
    const states: Array<{ on: boolean | null }> = [];
    const onState = (topic: string, payload: Buffer) => {
      if (topic === 'campus/energy/circuit/teach-corridor/state') states.push(JSON.parse(payload.toString()) as { on: boolean | null });
    };
    observer.on('message', onState);
    observer.subscribe('campus/energy/circuit/teach-corridor/state');
    operator.publish('campus/energy/circuit/teach-corridor/set', 'ON');
    await waitFor(() => states.some((s) => s.on === true));
    expect(relay(3)).toBe(true);
    const entry = energyServices(edge).circuits.log.list({ circuit: 'teach-corridor', limit: 1 })[0]!;
    expect(entry).toMatchObject({ actor: { kind: 'mqtt', id: 'ops-desk' }, why: 'MQTT', outcome: 'confirmed' });
    expect(energyServices(edge).circuits.state('teach-corridor')!.override).toMatchObject({ by: 'mqtt:ops-desk' });
    operator.publish('campus/energy/circuit/teach-corridor/set', JSON.stringify({ on: false, holdMinutes: 0, reason: '值班巡查' }));
    await waitFor(() => energyServices(edge).circuits.log.list({ circuit: 'teach-corridor', limit: 1 })[0]?.why === '值班巡查');
    expect(relay(3)).toBe(false);
    expect(energyServices(edge).circuits.state('teach-corridor')!.override).toBeNull();
    observer.off('message', onState);
  });

  it('records bad commands as events and never throws: garbage, wrong JSON, unknown circuit', async () => {
    const before = edge.store.events.list({ typePrefix: 'energy.circuit.command_rejected', limit: 50 }).length;
    operator.publish('campus/energy/circuit/teach-corridor/set', 'MAYBE');
    operator.publish('campus/energy/circuit/teach-corridor/set', JSON.stringify({ on: 'yes' }));
    operator.publish('campus/energy/circuit/nope/set', 'ON');
    await waitFor(() => edge.store.events.list({ typePrefix: 'energy.circuit.command_rejected', limit: 50 }).length === before + 3);
    const [unknown] = edge.store.events.list({ typePrefix: 'energy.circuit.command_rejected', limit: 1 });
    expect(unknown).toMatchObject({ severity: 'warning', source: 'mqtt:ops-desk', data: { client: 'ops-desk', detail: 'unknown circuit "nope"' } });
    expect(relay(3)).toBe(false);
  });

  it('an observer may not switch: the broker refuses the publish', async () => {
    observer.publish('campus/energy/circuit/teach-corridor/set', 'ON');
    await waitFor(() => edge.store.events.list({ typePrefix: 'security.', limit: 20 }).some((e) => e.data.topic === 'campus/energy/circuit/teach-corridor/set'));
    expect(relay(3)).toBe(false);
  });
});

describe('a board that stops answering', () => {
  it('fails the command after its attempts, marks circuits unreachable and raises an alarm', async () => {
    sim.line.setFaults(10, { silent: true });
    const r = await facility.req('POST', '/api/energy/circuits/lab1-socket/switch', { on: false });
    expect(r.json.result).toMatchObject({ outcome: 'failed', actual: null });
    expect(r.json.circuit).toMatchObject({ reachable: false, confirmed: false });
    const alarms = (await facility.req('GET', '/api/energy/alarms')).json.alarms as Array<{ rule: string; subject: string; detail: string }>;
    expect(alarms.find((a) => a.rule === 'circuit_mismatch' && a.subject === 'lab1-socket')?.detail).toMatch(/modbus\.(timeout|device_offline)/);
    sim.line.clearFaults(10);
    await waitFor(async () => (await facility.req('POST', '/api/energy/circuits/lab1-socket/switch', { on: false })).json.result.outcome === 'confirmed', 10_000, 300);
  });
});

