import type { MeterMapInput } from '@campus/device-drivers/meters/index';

/**
 * An electrical fire monitoring detector (电气火灾监控探测器) as a school's own
 * register map: residual current in mA and four cable temperatures in tenths of
 * a degree, holding registers from 0. Real detectors (Acrel ARCM, Chint NZJ …)
 * differ in addresses; installers copy this map and adjust it (firmware-notes/energy-setup.md).
 */
export const SAFETY_DETECTOR_MAP: MeterMapInput = {
  model: 'school-fire-detector',
  kind: 'meter',
  vendor: 'generic',
  title: { 'zh-CN': '电气火灾监控探测器（通用示例）', en: 'Electrical fire monitoring detector (generic example)' },
  notes: ['Example map: residual current (mA) in holding register 0, cable temperatures (0.1 °C, signed) in 1-4.'],
  defaults: { table: 'holding', type: 'uint16', wordOrder: 'big', interval: 'fast' },
  readable: [{ table: 'holding', from: 0, to: 15 }],
  points: [
    { name: 'residual_current', address: 0, unit: 'mA', range: [0, 3000], label: { 'zh-CN': '剩余电流', en: 'Residual current' } },
    ...[1, 2, 3, 4].map((n) => ({
      name: `cable_temperature_${n}`,
      address: n,
      type: 'int16' as const,
      scale: 0.1,
      unit: '°C' as const,
      range: [-40, 200] as [number, number],
      label: { 'zh-CN': `线缆温度${n}`, en: `Cable temperature ${n}` },
    })),
  ],
};
