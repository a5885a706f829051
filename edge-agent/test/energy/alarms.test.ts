import { afterEach, describe, expect, it } from 'vitest';
import type { MeterReading } from '@campus/protocol/energy/index';
import { Store } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { AlarmEngine } from '../../src/energy/alarms/alarm-engine.js';
import { AlarmRepo } from '../../src/energy/alarms/alarm-repo.js';
import { SafetyRules } from '../../src/energy/alarms/safety-rules.js';
import { RoomBookings } from '../../src/energy/calendar/bookings.js';
import { OperatingHours } from '../../src/energy/calendar/operating-hours.js';
import { SchoolCalendar } from '../../src/school/calendar.js';
import { EnergyConfigSchema, type EnergyConfigInput } from '../../src/energy/config.js';
import { LiveReadings } from '../../src/energy/live.js';
import { SchoolTime } from '../../src/school/time.js';
import { Topology } from '../../src/energy/topology.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { FakeClock, shanghai as cst } from '@campus/testkit';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

const CONFIG: EnergyConfigInput = {
  enabled: true,
  buildings: [
    { id: 'teach', name: '教学楼' },
    { id: 'dorm', name: '宿舍楼', hours: 'always' },
  ],
  rooms: [{ id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' }],
  buses: [
    {
      id: 'bus-a',
      transport: { kind: 'tcp', host: '127.0.0.1' },
      meters: [
        { id: 'm-teach', name: '教学楼总表', unit: 1, model: 'eastron-sdm630', building: 'teach', ratedCurrentA: 63 },
        { id: 'm-dorm', name: '宿舍楼总表', unit: 2, model: 'eastron-sdm630', building: 'dorm' },
        { id: 'fd-1', name: '教学楼配电箱探测器', unit: 3, model: 'school-fire-detector', building: 'teach', detector: true },
      ],
    },
  ],
  alarms: { raiseAfterSeconds: 10, clearAfterSeconds: 30, afterHoursRaiseAfterSeconds: 600, offlineAfterSeconds: 60, afterHoursPowerW: 1500 },
};

function setup(start = cst('2026-03-02 10:00')) {
  const d = tempDir('energy-alarms-');
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: d.path, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'test', clock: new TrustedClock({ mode: 'always' }) });
  cleanups.push(() => d.remove(), () => store.db.open && store.close());
  const clock = new FakeClock(start);
  const config = EnergyConfigSchema.parse(CONFIG);
  const zone = new SchoolTime('Asia/Shanghai');
  const topology = new Topology(config);
  const calendar = new SchoolCalendar(store.db, new SchoolTime('Asia/Shanghai'));
  const hours = new OperatingHours(config.operatingHours, topology, calendar, new RoomBookings(store.db, calendar, zone, () => clock.now()), zone);
  const published = new Map<string, string>();
  const engine = () => new AlarmEngine({ repo: new AlarmRepo(store.db), timers: clock, appendEvent: (e) => void store.events.append(e), publish: (t, p) => published.set(t, p), restoreGraceMs: 120_000 });
  const alarms = engine();
  const live = new LiveReadings(topology);
  const rules = new SafetyRules(alarms, topology, config.alarms, hours, live);
  return { store, clock, alarms, rules, live, published, engine, topology, config, hours };
}

const r = (deviceId: string, point: string, unit: MeterReading['unit'], value: number, at: number): MeterReading => ({ deviceId, point, unit, value, quality: 'good', at });

/** Feeds one value every 5 s for `seconds`. */
async function hold(t: ReturnType<typeof setup>, seconds: number, readings: (at: number) => MeterReading[]): Promise<void> {
  const end = t.clock.now() + seconds * 1000;
  for (let at = t.clock.now(); at <= end; at += 5000) {
    await t.clock.advanceTo(at);
    const batch = readings(at);
    t.live.update(batch);
    t.rules.onReadings(batch);
  }
}

describe('safety alarms', () => {
  it('debounces: a spike shorter than raiseAfter raises nothing; a lasting one raises once, then clears after clearAfter', async () => {
    const t = setup();
    await hold(t, 5, (at) => [r('m-teach', 'voltage_l2', 'V', 241, at)]);
    await hold(t, 20, (at) => [r('m-teach', 'voltage_l2', 'V', 229, at)]);
    expect(t.alarms.open()).toEqual([]);
    await hold(t, 30, (at) => [r('m-teach', 'voltage_l2', 'V', 243.2, at)]);
    const [a] = t.alarms.open();
    expect(a).toMatchObject({ rule: 'over_voltage', subject: 'm-teach', detail: 'voltage_l2', state: 'active', severity: 'warning', limit: 235.4, building: 'teach' });
    expect(a!.text['zh-CN']).toBe('教学楼总表 voltage_l2 电压 243.2 V，高于上限 235.4 V');
    // Hysteresis: 232 V is under the limit but not by 2 %, so the alarm holds.
    await hold(t, 60, (at) => [r('m-teach', 'voltage_l2', 'V', 232, at)]);
    expect(t.alarms.open()[0]!.state).toBe('active');
    await hold(t, 40, (at) => [r('m-teach', 'voltage_l2', 'V', 228, at)]);
    expect(t.alarms.open()[0]).toMatchObject({ state: 'cleared', acknowledged: false });
    const events = t.store.events.list({ typePrefix: 'alarm.energy.', limit: 10 });
    expect(events.map((e) => e.reason)).toEqual(['alarm.over_voltage.cleared', 'alarm.over_voltage.raised']);
    expect(t.published.get(`campus/alarms/${a!.id}`)).toContain('"state":"cleared"');
    // Acknowledging a cleared alarm closes it and empties the retained topic.
    t.alarms.acknowledge(a!.id, 'houqin');
    expect(t.alarms.open()).toEqual([]);
    expect(t.published.get(`campus/alarms/${a!.id}`)).toBe('');
  });

  it('an acknowledged alarm stays active until its condition clears', async () => {
    const t = setup();
    await hold(t, 15, (at) => [r('m-teach', 'voltage_l1', 'V', 180, at)]);
    const [a] = t.alarms.open();
    expect(a).toMatchObject({ rule: 'under_voltage', value: 180, limit: 198 });
    expect(t.alarms.acknowledge(a!.id, 'houqin')).toMatchObject({ alarm: { acknowledged: true, state: 'active', acknowledgedBy: 'houqin' } });
    expect(t.alarms.acknowledge(a!.id, 'houqin')).toEqual({ error: 'already' });
    expect(t.alarms.open()).toHaveLength(1);
    await hold(t, 40, (at) => [r('m-teach', 'voltage_l1', 'V', 221, at)]);
    expect(t.alarms.open()).toEqual([]);
    expect(t.published.get(`campus/alarms/${a!.id}`)).toBe('');
  });

  it('over-current only against a rated feeder; residual current and cable temperature are critical', async () => {
    const t = setup();
    await hold(t, 15, (at) => [r('m-teach', 'current_l3', 'A', 70, at), r('m-dorm', 'current_l3', 'A', 500, at), r('fd-1', 'residual_current', 'mA', 420, at), r('fd-1', 'cable_temperature_2', '°C', 86.5, at)]);
    const open = t.alarms.open().map((a) => [a.rule, a.subject, a.severity, a.value]);
    expect(open.sort()).toEqual([
      ['cable_temperature', 'fd-1', 'critical', 86.5],
      ['over_current', 'm-teach', 'warning', 70],
      ['residual_current', 'fd-1', 'critical', 420],
    ]);
    const safety = t.store.events.list({ typePrefix: 'alarm.energy.raised', limit: 10 }).find((e) => e.data.rule === 'residual_current')!;
    expect(safety).toMatchObject({ severity: 'critical', priority: 0 });
  });

  it('power drawn after hours: a building above its threshold outside operating hours for 10 minutes', async () => {
    // Monday 19:00: the teaching building is closed (07:00–18:30), the dormitory is always open.
    const t = setup(cst('2026-03-02 19:00'));
    const tick = async (minutes: number, teachW: number) => {
      for (let i = 0; i < minutes; i++) {
        const at = t.clock.now() + 60_000;
        await t.clock.advanceTo(at);
        t.live.update([r('m-teach', 'power_active_total', 'W', teachW, at), r('m-dorm', 'power_active_total', 'W', 9000, at)]);
        t.rules.afterHours(at);
      }
    };
    await tick(9, 4200);
    expect(t.alarms.open()).toEqual([]);
    await tick(3, 4200);
    expect(t.alarms.open().map((a) => [a.rule, a.subject, a.severity, a.value])).toEqual([['after_hours_power', 'teach', 'notice', 4200]]);
    const ev = t.store.events.list({ typePrefix: 'alarm.energy.raised', limit: 1 })[0]!;
    expect(ev.priority).toBe(2);
    await tick(2, 200);
    expect(t.alarms.open()[0]!.state).toBe('cleared');
  });

  it('a device offline for offlineAfterSeconds raises an alarm; back online clears it at once', async () => {
    const t = setup();
    t.rules.onReachability({ deviceId: 'm-dorm', busId: 'bus-a', unit: 2, reachable: false, reason: 'modbus.timeout', probeIntervalSeconds: 60, at: t.clock.now() });
    await t.clock.advance(30_000);
    t.rules.onReachability({ deviceId: 'm-dorm', busId: 'bus-a', unit: 2, reachable: true, reason: 'modbus.device_online', probeIntervalSeconds: 60, at: t.clock.now() });
    await t.clock.advance(60_000);
    expect(t.alarms.open()).toEqual([]);
    t.rules.onReachability({ deviceId: 'm-dorm', busId: 'bus-a', unit: 2, reachable: false, reason: 'modbus.link_down', probeIntervalSeconds: 60, at: t.clock.now() });
    await t.clock.advance(61_000);
    expect(t.alarms.open()[0]).toMatchObject({ rule: 'device_offline', subject: 'm-dorm', detail: 'modbus.link_down', text: { 'zh-CN': '宿舍楼总表 无应答（modbus.link_down）' } });
    t.rules.onReachability({ deviceId: 'm-dorm', busId: 'bus-a', unit: 2, reachable: true, reason: 'modbus.device_online', probeIntervalSeconds: 60, at: t.clock.now() });
    expect(t.alarms.open()[0]!.state).toBe('cleared');
  });

  it('after a restart, open alarms are published again; one whose condition does not come back clears', async () => {
    const t = setup();
    await hold(t, 15, (at) => [r('fd-1', 'residual_current', 'mA', 600, at), r('m-teach', 'voltage_l1', 'V', 250, at)]);
    expect(t.alarms.open()).toHaveLength(2);
    t.alarms.stop();
    t.published.clear();
    const again = t.engine();
    again.start();
    expect([...t.published.keys()]).toHaveLength(2);
    const rules = new SafetyRules(again, t.topology, t.config.alarms, t.hours, t.live);
    // The leakage persists; the voltage is back to normal and no longer reported high.
    for (let i = 0; i < 30; i++) {
      await t.clock.advance(5000);
      rules.onReadings([r('fd-1', 'residual_current', 'mA', 640, t.clock.now())]);
    }
    await t.clock.advance(120_000);
    const open = again.open();
    expect(open.map((a) => [a.rule, a.state])).toEqual(
      expect.arrayContaining([
        ['residual_current', 'active'],
        ['over_voltage', 'cleared'],
      ]),
    );
    expect(open.find((a) => a.rule === 'residual_current')!.value).toBe(640);
  });
});
