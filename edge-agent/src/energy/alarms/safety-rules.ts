import type { MeterReading } from '@campus/protocol/energy/index';
import type { OperatingHours } from '../calendar/operating-hours.js';
import type { EnergyConfig } from '../config.js';
import type { DeviceReachability } from '../field/field-buses.js';
import type { LiveReadings } from '../live.js';
import type { Topology } from '../topology.js';
import type { AlarmEngine, ConditionReport } from './alarm-engine.js';

const PHASE_VOLTAGE = /^voltage(_l[123])?$/;
const PHASE_CURRENT = /^current(_l[123])?$/;
const RESIDUAL = /^(residual|leakage)_current/;

/**
 * Turns readings and device reachability into alarm conditions: voltage out of
 * band, over-current against the feeder's rating, residual (leakage) current and
 * cable temperature from safety detectors, power drawn after hours, devices that
 * stopped answering. Hysteresis: an engaged condition is judged against a limit
 * pulled back by `hysteresis`, so a value hovering at the limit does not flap.
 */
export class SafetyRules {
  constructor(
    private readonly alarms: AlarmEngine,
    private readonly topology: Topology,
    private readonly limits: EnergyConfig['alarms'],
    private readonly hours: OperatingHours,
    private readonly live: LiveReadings,
  ) {}

  onReadings(batch: readonly MeterReading[]): void {
    for (const r of batch) {
      if (r.quality !== 'good' || r.value === null) continue;
      const m = this.topology.meters.get(r.deviceId);
      if (!m) continue;
      const base = { subject: m.id, subjectName: m.name, building: m.building, detail: r.point, clearAfterMs: this.limits.clearAfterSeconds * 1000, raiseAfterMs: this.limits.raiseAfterSeconds * 1000 };
      if (PHASE_VOLTAGE.test(r.point) && r.unit === 'V') {
        this.above({ ...base, key: `over_voltage:${m.id}:${r.point}`, rule: 'over_voltage', unit: 'V' }, r.value, this.limits.voltageHighV);
        this.below({ ...base, key: `under_voltage:${m.id}:${r.point}`, rule: 'under_voltage', unit: 'V' }, r.value, this.limits.voltageLowV);
      } else if (PHASE_CURRENT.test(r.point) && r.unit === 'A' && m.ratedCurrentA !== null) {
        this.above({ ...base, key: `over_current:${m.id}:${r.point}`, rule: 'over_current', unit: 'A' }, Math.abs(r.value), m.ratedCurrentA * this.limits.overCurrentRatio);
      } else if (RESIDUAL.test(r.point) && (r.unit === 'mA' || r.unit === 'A')) {
        const ma = r.unit === 'A' ? r.value * 1000 : r.value;
        this.above({ ...base, key: `residual_current:${m.id}:${r.point}`, rule: 'residual_current', unit: 'mA' }, ma, this.limits.residualCurrentMa);
      } else if (r.unit === '°C' && r.point.includes('temp')) {
        this.above({ ...base, key: `cable_temperature:${m.id}:${r.point}`, rule: 'cable_temperature', unit: '°C' }, r.value, this.limits.cableTemperatureC);
      }
    }
  }

  /** Once a minute: buildings drawing power outside their hours. */
  afterHours(now: number): void {
    for (const [building, p] of this.live.buildingPower(now)) {
      if (p.w === null) continue;
      const b = this.topology.buildings.get(building)!;
      const limit = b.afterHoursPowerW ?? this.limits.afterHoursPowerW;
      const key = `after_hours_power:${building}`;
      const inHours = this.hours.buildingInHours(building, now);
      const threshold = this.alarms.engaged(key) ? limit * (1 - this.limits.hysteresis) : limit;
      this.alarms.report({
        key,
        rule: 'after_hours_power',
        subject: building,
        subjectName: b.name,
        building,
        active: !inHours && p.w > threshold,
        value: p.w,
        limit,
        unit: 'W',
        detail: null,
        raiseAfterMs: this.limits.afterHoursRaiseAfterSeconds * 1000,
        clearAfterMs: this.limits.clearAfterSeconds * 1000,
      });
    }
  }

  onReachability(r: DeviceReachability): void {
    const meter = this.topology.meters.get(r.deviceId);
    const relay = this.topology.relays.get(r.deviceId);
    const name = meter?.name ?? relay?.name ?? r.deviceId;
    const building = meter?.building ?? [...this.topology.circuits.values()].find((c) => c.board === r.deviceId)?.building ?? null;
    this.alarms.report({
      key: `device_offline:${r.deviceId}`,
      rule: 'device_offline',
      subject: r.deviceId,
      subjectName: name,
      building,
      active: !r.reachable,
      value: null,
      limit: null,
      unit: '',
      detail: r.reachable ? null : r.reason,
      raiseAfterMs: this.limits.offlineAfterSeconds * 1000,
      clearAfterMs: 0,
    });
  }

  private above(c: Omit<ConditionReport, 'active' | 'value' | 'limit'>, value: number, limit: number): void {
    const threshold = this.alarms.engaged(c.key) ? limit * (1 - this.limits.hysteresis) : limit;
    this.alarms.report({ ...c, active: value > threshold, value, limit });
  }

  private below(c: Omit<ConditionReport, 'active' | 'value' | 'limit'>, value: number, limit: number): void {
    const threshold = this.alarms.engaged(c.key) ? limit * (1 + this.limits.hysteresis) : limit;
    this.alarms.report({ ...c, active: value < threshold, value, limit });
  }
}
