import { EXCEPTION, servePdu, type RegisterSpace, type SimulatedDevice } from '@campus/device-drivers/modbus/sim/index';

export { SAFETY_DETECTOR_MAP } from './safety-detector-map.js';

/** The detector of SAFETY_DETECTOR_MAP (safety-detector-map.ts), simulated: set `residualMa` and `temperaturesC` to make trouble. */
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
