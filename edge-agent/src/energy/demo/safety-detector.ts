import { EXCEPTION, servePdu, type RegisterSpace, type SimulatedDevice } from '@campus/device-drivers/modbus/sim/index';

/**
 * An electrical fire monitoring detector (电气火灾监控探测器) as a school's own
 * register map: residual current in mA and four cable temperatures in tenths of
 * a degree, holding registers from 0. Real detectors (Acrel ARCM, Chint NZJ …)
 * differ in addresses; installers copy this map and adjust it (firmware-notes/energy-setup.md).
 */
export const SAFETY_DETECTOR_MAP = {
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
      type: 'int16',
      scale: 0.1,
      unit: '°C',
      range: [-40, 200],
      label: { 'zh-CN': `线缆温度${n}`, en: `Cable temperature ${n}` },
    })),
  ],
} as const;

/** The detector above, simulated: set `residualMa` and `temperaturesC` to make trouble. */
export class SimulatedSafetyDetector implements SimulatedDevice, RegisterSpace {
  residualMa = 12;
  temperaturesC: [number, number, number, number] = [31.5, 32, 30.8, 33.1];

  constructor(readonly unit: number) {}

  handle(pdu: Buffer, now: number): Buffer {
    return servePdu(this, pdu, now);
  }

  readRegisters(table: 'holding' | 'input', address: number, count: number): number[] | number {
    if (table !== 'holding' || address + count > 16) return EXCEPTION.illegalAddress;
    const regs = [Math.round(this.residualMa), ...this.temperaturesC.map((t) => Math.round(t * 10) & 0xffff)];
    return Array.from({ length: count }, (_, i) => regs[address + i] ?? 0);
  }

  readBits(): number {
    return EXCEPTION.illegalAddress;
  }
  writeCoil(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegister(): number {
    return EXCEPTION.illegalAddress;
  }
  writeCoils(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegisters(): number {
    return EXCEPTION.illegalAddress;
  }
}
