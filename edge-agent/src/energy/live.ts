import type { MeterReading } from '@campus/protocol/energy/index';
import type { Topology } from './topology.js';
import { normalise } from './telemetry/units.js';

export interface LiveValue {
  value: number | null;
  unit: string;
  quality: MeterReading['quality'];
  at: number;
  raw?: string;
}

/** A value older than this no longer counts as live. */
export const STALE_MS = 90_000;

/**
 * The latest value of every meter point, for the panel's live page, MQTT and
 * the after-hours rule. Power is summed per building by the topology's rule.
 */
export class LiveReadings {
  private readonly meters = new Map<string, Map<string, LiveValue>>();

  constructor(private readonly topology: Topology) {}

  update(batch: readonly MeterReading[]): void {
    for (const r of batch) {
      let m = this.meters.get(r.deviceId);
      if (!m) this.meters.set(r.deviceId, (m = new Map()));
      const n = r.value === null ? { value: null, unit: r.unit } : normalise(r.value, r.unit);
      m.set(r.point, { value: n.value, unit: n.unit, quality: r.quality, at: r.at, ...(r.raw !== undefined ? { raw: r.raw } : {}) });
    }
  }

  values(meterId: string): Map<string, LiveValue> | undefined {
    return this.meters.get(meterId);
  }

  /** Good values only, as published on campus/energy/meter/{id}/reading. */
  snapshot(meterId: string): { at: number; values: Record<string, number>; units: Record<string, string> } | null {
    const m = this.meters.get(meterId);
    if (!m) return null;
    const values: Record<string, number> = {};
    const units: Record<string, string> = {};
    let at = 0;
    for (const [point, v] of m) {
      if (v.quality !== 'good' || v.value === null) continue;
      values[point] = v.value;
      units[point] = v.unit;
      at = Math.max(at, v.at);
    }
    return { at, values, units };
  }

  /** Active power of a meter in W, if fresh. */
  power(meterId: string, now: number): number | null {
    const m = this.meters.get(meterId);
    if (!m) return null;
    const total = m.get('power_active_total');
    if (total && total.quality === 'good' && total.value !== null && now - total.at <= STALE_MS) return total.value;
    let sum = 0;
    let n = 0;
    for (const p of ['power_active_l1', 'power_active_l2', 'power_active_l3']) {
      const v = m.get(p);
      if (v && v.quality === 'good' && v.value !== null && now - v.at <= STALE_MS) {
        sum += v.value;
        n++;
      }
    }
    return n > 0 ? sum : null;
  }

  /** Power per building (W) and how many of its meters are fresh. */
  buildingPower(now: number): Map<string, { w: number | null; meters: number; fresh: number }> {
    const out = new Map<string, { w: number | null; meters: number; fresh: number }>();
    for (const b of this.topology.buildings.keys()) {
      const meters = this.topology.metersOf({ kind: 'building', id: b });
      let w = 0;
      let fresh = 0;
      for (const m of meters) {
        const p = this.power(m.id, now);
        if (p !== null) {
          w += p;
          fresh++;
        }
      }
      out.set(b, { w: fresh > 0 ? w : null, meters: meters.length, fresh });
    }
    return out;
  }
}
