import type { EnergyUnit } from './units.js';

/**
 * Point names every built-in meter map uses for the same quantity, so the energy
 * service finds "total import kWh" or "total active power" whatever the model.
 * User maps may add other names; these are the ones with agreed meaning.
 */
export interface WellKnownPoint {
  unit: EnergyUnit;
  label: { 'zh-CN': string; en: string };
}

const phases = [
  ['l1', 'A相', 'L1'],
  ['l2', 'B相', 'L2'],
  ['l3', 'C相', 'L3'],
] as const;

function perPhase(prefix: string, unit: EnergyUnit, zh: string, en: string): Record<string, WellKnownPoint> {
  const out: Record<string, WellKnownPoint> = {};
  for (const [id, zhPhase, enPhase] of phases) {
    out[`${prefix}_${id}`] = { unit, label: { 'zh-CN': `${zhPhase}${zh}`, en: `${en} ${enPhase}` } };
  }
  return out;
}

export const WELL_KNOWN_POINTS: Record<string, WellKnownPoint> = {
  ...perPhase('voltage', 'V', '电压', 'Voltage'),
  voltage_l1_l2: { unit: 'V', label: { 'zh-CN': 'AB线电压', en: 'Voltage L1-L2' } },
  voltage_l2_l3: { unit: 'V', label: { 'zh-CN': 'BC线电压', en: 'Voltage L2-L3' } },
  voltage_l3_l1: { unit: 'V', label: { 'zh-CN': 'CA线电压', en: 'Voltage L3-L1' } },
  voltage: { unit: 'V', label: { 'zh-CN': '电压', en: 'Voltage' } },
  ...perPhase('current', 'A', '电流', 'Current'),
  current: { unit: 'A', label: { 'zh-CN': '电流', en: 'Current' } },
  current_neutral: { unit: 'A', label: { 'zh-CN': '零线电流', en: 'Neutral current' } },
  ...perPhase('power_active', 'W', '有功功率', 'Active power'),
  power_active_total: { unit: 'W', label: { 'zh-CN': '总有功功率', en: 'Total active power' } },
  ...perPhase('power_reactive', 'var', '无功功率', 'Reactive power'),
  power_reactive_total: { unit: 'var', label: { 'zh-CN': '总无功功率', en: 'Total reactive power' } },
  ...perPhase('power_apparent', 'VA', '视在功率', 'Apparent power'),
  power_apparent_total: { unit: 'VA', label: { 'zh-CN': '总视在功率', en: 'Total apparent power' } },
  ...perPhase('power_factor', '', '功率因数', 'Power factor'),
  power_factor_total: { unit: '', label: { 'zh-CN': '总功率因数', en: 'Total power factor' } },
  frequency: { unit: 'Hz', label: { 'zh-CN': '频率', en: 'Frequency' } },
  energy_active_import_total: { unit: 'kWh', label: { 'zh-CN': '正向有功总电能', en: 'Imported active energy' } },
  energy_active_export_total: { unit: 'kWh', label: { 'zh-CN': '反向有功总电能', en: 'Exported active energy' } },
  energy_active_total: { unit: 'kWh', label: { 'zh-CN': '有功总电能', en: 'Total active energy' } },
  energy_reactive_import_total: { unit: 'kvarh', label: { 'zh-CN': '正向无功总电能', en: 'Imported reactive energy' } },
  energy_reactive_export_total: { unit: 'kvarh', label: { 'zh-CN': '反向无功总电能', en: 'Exported reactive energy' } },
  demand_power_total: { unit: 'W', label: { 'zh-CN': '总有功需量', en: 'Total power demand' } },
  demand_power_max: { unit: 'W', label: { 'zh-CN': '最大有功需量', en: 'Maximum power demand' } },
};

/** Label of a relay channel point ("relay_3"), numbered from 1 as printed on the board. */
export function relayPointName(channel: number): string {
  return `relay_${channel}`;
}
