import type { EnergyConfig } from '../config.js';

/**
 * Units as stored: power in W and energy in kWh whatever the meter sends, each
 * unit with the step raw values are kept in (no finer than meters display) and
 * the deadband that decides whether a new value is worth a write.
 */
export function normalise(value: number, unit: string): { value: number; unit: string } {
  switch (unit) {
    case 'kW':
      return { value: value * 1000, unit: 'W' };
    case 'kvar':
      return { value: value * 1000, unit: 'var' };
    case 'kVA':
      return { value: value * 1000, unit: 'VA' };
    default:
      return { value, unit };
  }
}

const RESOLUTION: Record<string, number> = {
  V: 0.1,
  A: 0.01,
  W: 1,
  var: 1,
  VA: 1,
  Hz: 0.01,
  '': 0.001,
  kWh: 0.01,
  kvarh: 0.01,
  kVAh: 0.01,
  Ah: 0.01,
  '°C': 0.1,
  mA: 1,
  '%': 0.1,
  '°': 0.1,
  'on/off': 1,
};

export function resolutionOf(unit: string): number {
  return RESOLUTION[unit] ?? 0.001;
}

export const COUNTER_UNITS = new Set(['kWh', 'kvarh', 'kVAh', 'Ah']);
const RELATIVE_UNITS = new Set(['A', 'W', 'var', 'VA', 'mA']);

export function deadbandOf(unit: string, band: EnergyConfig['telemetry']['deadband']): { abs: number; relative: number } {
  const abs =
    unit === 'V' ? band.V
    : unit === 'A' ? band.A
    : unit === 'W' ? band.W
    : unit === 'var' ? band.var
    : unit === 'VA' ? band.VA
    : unit === 'Hz' ? band.Hz
    : unit === '' ? band.pf
    : COUNTER_UNITS.has(unit) ? band.kWh
    : unit === '°C' ? band.degC
    : unit === 'mA' ? band.mA
    : 0;
  // Relative bands suit quantities that span orders of magnitude (a classroom's
  // current vs. a building's); on a voltage 5 % is 11 V, on a counter 5 % of
  // 16 000 kWh would go unrecorded.
  return { abs, relative: RELATIVE_UNITS.has(unit) ? band.relative : 0 };
}
