/**
 * Plausible, slowly changing electrical values for a simulated meter: three
 * phases with their own load curve, a power factor that drifts, energy that
 * integrates power over real time (so counters only grow). Deterministic for a
 * given seed and time, so tests can compare against it.
 */
export interface PhaseState {
  voltage: number;
  current: number;
  power: number;
  apparent: number;
  reactive: number;
  pf: number;
  angle: number;
}

export interface MeterSnapshot {
  phases: [PhaseState, PhaseState, PhaseState];
  frequency: number;
  importKwh: [number, number, number];
  exportKwh: [number, number, number];
  importKvarh: [number, number, number];
  exportKvarh: [number, number, number];
  maxDemandW: number;
}

/** Small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PhysicsOptions {
  seed: number;
  /** Average load per phase, W. */
  baseLoadW?: number;
  /** Starting energy reading, kWh. */
  startKwh?: number;
  startedAt?: number;
}

export class MeterPhysics {
  private readonly base: [number, number, number];
  private readonly offset: [number, number, number];
  private readonly energy: MeterSnapshot['importKwh'];
  private readonly exported: MeterSnapshot['exportKwh'];
  private readonly kvarhIn: MeterSnapshot['importKvarh'];
  private readonly kvarhOut: MeterSnapshot['exportKvarh'];
  private lastAt: number;
  private maxDemand = 0;
  /** Multiplies the load, e.g. 0 when a circuit is switched off. */
  loadFactor = 1;

  constructor(options: PhysicsOptions) {
    const rnd = seededRandom(options.seed);
    const base = options.baseLoadW ?? 500 + rnd() * 4500;
    this.base = [base * (0.8 + 0.4 * rnd()), base * (0.8 + 0.4 * rnd()), base * (0.8 + 0.4 * rnd())];
    this.offset = [rnd() * 6.28, rnd() * 6.28, rnd() * 6.28];
    const start = options.startKwh ?? Math.round(rnd() * 50_000);
    this.energy = [start / 3, start / 3, start / 3];
    this.exported = [0.5, 0.25, 0.125];
    this.kvarhIn = [start / 12, start / 12, start / 12];
    this.kvarhOut = [0, 0, 0];
    this.lastAt = options.startedAt ?? Date.now();
  }

  /** Values at `now` (ms); energy counters advance by the power since the last call. */
  at(now: number): MeterSnapshot {
    const t = now / 1000;
    const phases = [0, 1, 2].map((i) => {
      const w = (2 * Math.PI) / 600;
      const voltage = 229 + 3 * Math.sin(t * w + this.offset[i]!) + 0.4 * Math.sin(t * 1.7 + i);
      const power = Math.max(0, this.loadFactor * this.base[i]! * (1 + 0.25 * Math.sin(t * w * 3 + this.offset[i]!) + 0.03 * Math.sin(t * 2.3 + i)));
      const pf = 0.92 + 0.06 * Math.sin(t * w * 2 + i);
      const apparent = power / pf;
      const current = apparent / voltage;
      const reactive = Math.sqrt(Math.max(0, apparent * apparent - power * power));
      return { voltage, current, power, apparent, reactive, pf, angle: (Math.acos(pf) * 180) / Math.PI };
    }) as [PhaseState, PhaseState, PhaseState];
    const hours = Math.max(0, now - this.lastAt) / 3_600_000;
    this.lastAt = Math.max(this.lastAt, now);
    for (let i = 0; i < 3; i++) {
      this.energy[i]! += (phases[i]!.power / 1000) * hours;
      this.kvarhIn[i]! += (phases[i]!.reactive / 1000) * hours;
    }
    const total = phases.reduce((s, p) => s + p.power, 0);
    this.maxDemand = Math.max(this.maxDemand, total);
    return {
      phases,
      frequency: 50 + 0.02 * Math.sin(t / 7),
      importKwh: [...this.energy],
      exportKwh: [...this.exported],
      importKvarh: [...this.kvarhIn],
      exportKvarh: [...this.kvarhOut],
      maxDemandW: this.maxDemand,
    };
  }
}

const PHASE_INDEX: Record<string, number> = { l1: 0, l2: 1, l3: 2 };

/**
 * The value of a well-known point name in a snapshot; `singlePhase` meters
 * report phase L1 as their totals. Unknown names read 0, as unused registers do.
 */
export function pointValue(name: string, s: MeterSnapshot, singlePhase: boolean): number {
  const ph = s.phases;
  const all = singlePhase ? [ph[0]] : ph;
  const sum = (f: (p: PhaseState) => number) => all.reduce((a, p) => a + f(p), 0);
  const sum3 = (xs: readonly number[]) => (singlePhase ? xs[0]! : xs[0]! + xs[1]! + xs[2]!);
  const m = /^(.*)_(l1|l2|l3)$/.exec(name);
  // A name without a phase suffix on a single-phase meter means phase L1.
  const p = m ? ph[PHASE_INDEX[m[2]!]!]! : ph[0];
  const i = m ? PHASE_INDEX[m[2]!]! : 0;
  switch (m ? m[1] : name) {
    case 'voltage':
      return p.voltage;
    case 'current':
      return p.current;
    case 'power_active':
      return p.power;
    case 'power_apparent':
      return p.apparent;
    case 'power_reactive':
      return p.reactive;
    case 'power_factor':
      return p.pf;
    case 'phase_angle':
      return p.angle;
    case 'energy_active_import':
      return s.importKwh[i]!;
    case 'energy_active_export':
      return s.exportKwh[i]!;
    case 'energy_active_total':
      return s.importKwh[i]! + s.exportKwh[i]!;
    case 'energy_reactive_import':
      return s.importKvarh[i]!;
    case 'energy_reactive_export':
      return s.exportKvarh[i]!;
    case 'energy_reactive_total':
      return s.importKvarh[i]! + s.exportKvarh[i]!;
    case 'thd_voltage':
      return 2 + i * 0.3;
    case 'thd_current':
      return 12 + i * 2;
  }
  switch (name) {
    case 'voltage_l1_l2':
    case 'voltage_l2_l3':
    case 'voltage_l3_l1':
    case 'voltage_ll_avg':
      return ph[0].voltage * Math.sqrt(3);
    case 'voltage_avg':
      return (ph[0].voltage + ph[1].voltage + ph[2].voltage) / 3;
    case 'current_avg':
      return sum((x) => x.current) / all.length;
    case 'current_sum':
      return sum((x) => x.current);
    case 'current_neutral':
      return singlePhase ? ph[0].current : 0.1 * sum((x) => x.current);
    case 'power_active_total':
    case 'demand_power_total':
    case 'demand_power_import':
      return sum((x) => x.power);
    case 'power_apparent_total':
    case 'demand_apparent_total':
    case 'demand_apparent_max':
      return sum((x) => x.apparent);
    case 'power_reactive_total':
      return sum((x) => x.reactive);
    case 'power_factor_total':
      return sum((x) => x.power) / sum((x) => x.apparent);
    case 'phase_angle_total':
      return (Math.acos(sum((x) => x.power) / sum((x) => x.apparent)) * 180) / Math.PI;
    case 'frequency':
      return s.frequency;
    case 'energy_active_import_total':
      return sum3(s.importKwh);
    case 'energy_active_export_total':
      return sum3(s.exportKwh);
    case 'energy_active_total':
      return sum3(s.importKwh) + sum3(s.exportKwh);
    case 'energy_reactive_import_total':
      return sum3(s.importKvarh);
    case 'energy_reactive_export_total':
      return sum3(s.exportKvarh);
    case 'energy_reactive_total':
      return sum3(s.importKvarh) + sum3(s.exportKvarh);
    case 'energy_apparent_total':
      return sum3(s.importKwh) * 1.08;
    case 'charge_total':
      return (sum3(s.importKwh) * 1000) / 230;
    case 'demand_power_max':
    case 'demand_power_import_max':
      return s.maxDemandW;
    case 'demand_current':
    case 'demand_current_max':
      return ph[0].current;
    case 'demand_current_neutral':
    case 'demand_current_neutral_max':
      return 0.1 * sum((x) => x.current);
    case 'thd_voltage_avg':
    case 'thd_voltage_ll_avg':
      return 2.3;
    case 'thd_current_avg':
      return 14;
  }
  if (name.startsWith('thd_voltage_')) return 2.5;
  if (name.startsWith('demand_current_')) return p.current;
  return 0;
}
