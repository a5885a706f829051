import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatedMeter,
  SimulatedModbusLine,
  startRtuSerialSlave,
  startTcpSlave,
  type RtuSerialSlave,
  type TcpSlave,
} from '@campus/device-drivers/modbus/sim/index';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import type { EnergyConfigInput } from '../../src/energy/config.js';
import { SAFETY_DETECTOR_MAP, SimulatedSafetyDetector } from '../../src/energy/demo/safety-detector.js';
import { ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import { energyServices } from './helpers/services.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

/**
 * The energy module on real Modbus: a Modbus TCP segment and an RS-485 segment
 * (RTU over a socat pty pair), both served by the drivers' simulators, with
 * every kind of trouble the issue lists. Each is recorded per device with a
 * clear error; nothing crashes; the other meters keep being polled.
 */
const FACILITY = { username: 'houqin', password: 'facility-pass-1', roles: ['facility' as const] };
const POINTS = ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'power_active_total', 'energy_active_import_total'];

let tcpLine: SimulatedModbusLine;
let rtuLine: SimulatedModbusLine;
let tcp: TcpSlave;
let pty: PtyPair;
let rtu: RtuSerialSlave;
let detector: SimulatedSafetyDetector;
let edge: TestEdge;
let api: ApiClient;

function config(tcpPort: number, ptyPath: string): EnergyConfigInput {
  return {
    enabled: true,
    buildings: [{ id: 'teach', name: '教学楼' }],
    rooms: [{ id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' }],
    maps: [SAFETY_DETECTOR_MAP],
    buses: [
      {
        id: 'tcp-a',
        transport: { kind: 'tcp', host: '127.0.0.1', port: tcpPort },
        timeoutMs: 150,
        offlineProbeIntervalMs: 500,
        meters: [
          { id: 'm-good', name: '教学楼总表', unit: 1, model: 'eastron-sdm630', building: 'teach', points: POINTS, intervals: { fastMs: 300, slowMs: 600 } },
          { id: 'm-garbage', unit: 2, model: 'eastron-sdm630', building: 'teach', room: 'r101', points: POINTS, intervals: { fastMs: 300, slowMs: 600 } },
          { id: 'm-refuses', unit: 3, model: 'eastron-sdm630', building: 'teach', points: POINTS, intervals: { fastMs: 300, slowMs: 600 } },
          { id: 'm-acme', unit: 4, model: 'acme-x1', building: 'teach' },
          { id: 'm-outside', unit: 5, model: 'eastron-sdm630', building: 'teach', points: ['voltage_l1', { name: 'secret', address: 0x9000, unit: 'V' }] },
          { id: 'm-nowhere', unit: 6, model: 'eastron-sdm630', building: 'gym' },
          { id: 'fd-1', name: '配电箱探测器', unit: 7, model: 'school-fire-detector', building: 'teach', detector: true, intervals: { fastMs: 300 } },
        ],
      },
      {
        id: 'rs485-b',
        transport: { kind: 'rtu', path: ptyPath, baudRate: 19200 },
        timeoutMs: 150,
        offlineProbeIntervalMs: 500,
        reconnect: { minDelayMs: 50, maxDelayMs: 200 },
        meters: [{ id: 'm-rtu', name: '宿舍表', unit: 1, model: 'chint-dtsu666', building: 'teach', points: ['voltage_l1', 'power_active_total', 'energy_active_import_total'], intervals: { fastMs: 300, slowMs: 600 } }],
      },
    ],
    alarms: { raiseAfterSeconds: 0, clearAfterSeconds: 0, offlineAfterSeconds: 0 },
  };
}

beforeAll(async () => {
  tcpLine = new SimulatedModbusLine();
  const garbage = new SimulatedMeter({ unit: 2, model: 'eastron-sdm630' });
  garbage.garbageFloats = true;
  detector = new SimulatedSafetyDetector(7);
  tcpLine.add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' }), garbage, new SimulatedMeter({ unit: 3, model: 'eastron-sdm630' }), detector);
  tcpLine.setFaults(3, { exception: 4 });
  tcp = await startTcpSlave(tcpLine, { framing: 'tcp' });
  rtuLine = new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'chint-dtsu666' }));
  pty = await openPtyPair();
  rtu = await startRtuSerialSlave(rtuLine, { path: pty.b, baudRate: 19200 });
  edge = await startTestEdge({ energy: config(tcp.port, pty.a) }, { users: [FACILITY], energy: { pollTickMs: 50 } });
  api = new ApiClient(edge.httpUrl);
  await api.login(FACILITY.username, FACILITY.password);
}, 30_000);

afterAll(async () => {
  await edge?.cleanup();
  await rtu?.close();
  await pty?.close();
  await tcp?.close();
  tcpLine?.close();
  rtuLine?.close();
});

const liveOf = async (id: string) => ((await api.req('GET', '/api/energy/live')).json.meters as Array<{ id: string; values: Record<string, { value: number | null; quality: string; at: number; raw?: string }>; reachable: boolean | null }>).find((m) => m.id === id);

describe('bad configuration: recorded per device, the rest runs', () => {
  it('an unknown meter model, a register outside the map and an unknown building each disable only that device', async () => {
    const devices = (await api.req('GET', '/api/energy/devices')).json;
    const issues = devices.issues as Array<{ subject: string; code: string; text: { 'zh-CN': string; en: string } }>;
    const by = (s: string) => issues.find((i) => i.subject === s);
    expect(by('m-acme')).toMatchObject({ code: 'energy.unknown_model' });
    expect(by('m-acme')!.text['zh-CN']).toContain('未知的表计型号“acme-x1”');
    expect(by('m-outside')).toMatchObject({ code: 'energy.register_outside_map' });
    expect(by('m-outside')!.text.en).toContain('outside the register map of model eastron-sdm630');
    expect(by('m-nowhere')!.text.en).toContain('unknown building "gym"');
    const polled = (devices.devices as Array<{ deviceId: string }>).map((d) => d.deviceId).sort();
    expect(polled).toEqual(['fd-1', 'm-garbage', 'm-good', 'm-refuses', 'm-rtu']);
    const events = edge.store.events.list({ typePrefix: 'energy.config.rejected', limit: 10 }).map((e) => e.subject).sort();
    expect(events).toEqual(['m-acme', 'm-nowhere', 'm-outside']);
  });
});

describe('bad replies on the wire', () => {
  it('a meter answering garbage floats: flagged, never stored as data, one event per point', async () => {
    await waitFor(async () => Boolean((await liveOf('m-garbage'))?.values.voltage_l1), 5000, 100);
    const m = (await liveOf('m-garbage'))!;
    expect(m.values.voltage_l1).toMatchObject({ value: null, quality: 'nan', raw: 'NaN' });
    expect(m.values.voltage_l2!.quality).toBe('infinite');
    expect(m.values.voltage_l3!.quality).toBe('out_of_range');
    const flagged = edge.store.events.list({ typePrefix: 'energy.meter.data_flagged', limit: 50 }).filter((e) => e.subject === 'm-garbage');
    expect(new Set(flagged.map((e) => e.data.point)).size).toBe(flagged.length);
    const raw = await api.req('GET', `/api/energy/meters/m-garbage/raw?point=voltage_l1&from=0&to=${Date.now() + 60_000}`);
    expect(raw.json.values).toEqual([]);
  });

  it('a meter answering exception 4: its error is recorded, the others keep polling', async () => {
    await waitFor(async () => {
      const d = ((await api.req('GET', '/api/energy/devices')).json.devices as Array<{ deviceId: string; lastError: { reason: string } | null }>).find((x) => x.deviceId === 'm-refuses');
      return d?.lastError?.reason === 'modbus.exception.4';
    }, 5000, 100);
    const d = ((await api.req('GET', '/api/energy/devices')).json.devices as Array<{ deviceId: string; stats: { exceptions: Record<string, number> }; lastError: { text: { 'zh-CN': string } } }>).find((x) => x.deviceId === 'm-refuses')!;
    expect(d.stats.exceptions['4']).toBeGreaterThan(0);
    expect(d.lastError.text['zh-CN']).toContain('内部故障（异常码 4）');
    const before = (await liveOf('m-good'))!.values.power_active_total!.at;
    await waitFor(async () => (await liveOf('m-good'))!.values.power_active_total!.at > before, 5000, 100);
  });

  it('CRC errors on the RS-485 segment are counted and retried; readings go on', async () => {
    await waitFor(async () => Boolean((await liveOf('m-rtu'))?.values.power_active_total), 5000, 100);
    rtuLine.setFaults(1, { crcErrors: 3 });
    await waitFor(() => (energyServices(edge).field.devices().find((d) => d.deviceId === 'm-rtu')?.stats?.crcErrors ?? 0) >= 3, 5000, 50);
    const before = (await liveOf('m-rtu'))!.values.power_active_total!.at;
    await waitFor(async () => (await liveOf('m-rtu'))!.values.power_active_total!.at > before, 5000, 100);
    expect((await liveOf('m-rtu'))!.values.power_active_total!.quality).toBe('good');
    // The per-device counters are Prometheus metrics.
    const metrics = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    const crc = /campus_edge_modbus_crc_errors\{bus="rs485-b",unit="1",device="m-rtu"\} (\d+)/.exec(metrics);
    expect(Number(crc?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/campus_edge_modbus_device_up\{bus="tcp-a",unit="1",device="m-good"\} 1/);
  });

  it('a pulled RS-485 cable: the meter goes offline with an alarm, comes back by itself when plugged in again', async () => {
    await rtu.close();
    await pty.unplug();
    await waitFor(() => energyServices(edge).alarms.open().some((a) => a.rule === 'device_offline' && a.subject === 'm-rtu' && a.state === 'active'), 5000, 50);
    const alarm = energyServices(edge).alarms.open().find((a) => a.subject === 'm-rtu')!;
    expect(alarm.detail).toBe('modbus.link_down');
    // Meanwhile the TCP segment is unaffected.
    const before = (await liveOf('m-good'))!.values.power_active_total!.at;
    await waitFor(async () => (await liveOf('m-good'))!.values.power_active_total!.at > before, 5000, 100);
    await pty.replug();
    rtu = await startRtuSerialSlave(rtuLine, { path: pty.b, baudRate: 19200 });
    await waitFor(() => energyServices(edge).alarms.get(alarm.id)?.state === 'cleared', 10_000, 100);
    const states = edge.store.events.list({ typePrefix: 'energy.device.state', limit: 20 }).filter((e) => e.subject === 'm-rtu').map((e) => e.reason);
    expect(states).toEqual(expect.arrayContaining(['modbus.link_down', 'modbus.device_online']));
  });

  it('a silent meter on a Modbus TCP gateway: offline alarm, the rest of the bus keeps polling', async () => {
    tcpLine.setFaults(1, { silent: true });
    await waitFor(() => energyServices(edge).alarms.open().some((a) => a.rule === 'device_offline' && a.subject === 'm-good' && a.state === 'active'), 5000, 50);
    const before = (await liveOf('fd-1'))!.values.residual_current!.at;
    await waitFor(async () => (await liveOf('fd-1'))!.values.residual_current!.at > before, 5000, 100);
    tcpLine.clearFaults(1);
    await waitFor(() => !energyServices(edge).alarms.open().some((a) => a.subject === 'm-good' && a.state === 'active'), 10_000, 100);
  });
});

describe('safety detectors over Modbus', () => {
  it('leakage current and a hot cable raise critical alarms that reach the event feed of the panel', async () => {
    detector.residualMa = 480;
    detector.temperaturesC[2] = 92.4;
    await waitFor(() => energyServices(edge).alarms.open().filter((a) => a.subject === 'fd-1' && a.state === 'active').length === 2, 5000, 50);
    const alarms = ((await api.req('GET', '/api/energy/alarms')).json.alarms as Array<{ rule: string; subject: string; severity: string; value: number; detail: string }>).filter((a) => a.subject === 'fd-1');
    expect(alarms.map((a) => [a.rule, a.severity, a.detail]).sort()).toEqual([
      ['cable_temperature', 'critical', 'cable_temperature_3'],
      ['residual_current', 'critical', 'residual_current'],
    ]);
    const feed = (await api.req('GET', '/api/events?type=alarm.energy&limit=20')).json.events as Array<{ text: { 'zh-CN': string } }>;
    expect(feed.some((e) => e.text['zh-CN'].includes('剩余电流 480 mA'))).toBe(true);
    detector.residualMa = 10;
    detector.temperaturesC[2] = 35;
    await waitFor(() => energyServices(edge).alarms.open().every((a) => a.subject !== 'fd-1' || a.state === 'cleared'), 5000, 50);
  });
});
