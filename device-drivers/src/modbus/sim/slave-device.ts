import { FUNCTION_CODES, MAX_READ_BITS, MAX_READ_REGISTERS, MAX_WRITE_COILS, MAX_WRITE_REGISTERS } from '../pdu.js';

/** A device a simulated line can host: request PDU in, reply PDU out. */
export interface SimulatedDevice {
  readonly unit: number;
  /** The reply PDU (normal or exception) to a request PDU. */
  handle(pdu: Buffer, now: number): Buffer;
  /** Stops timers (relay flashes) when the line closes. */
  close?(): void;
}

export const EXCEPTION = {
  illegalFunction: 1,
  illegalAddress: 2,
  illegalValue: 3,
  deviceFailure: 4,
} as const;

export function exceptionPdu(functionCode: number, code: number): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, code & 0xff]);
}

/** What a simulated device stores; each method returns an exception code to refuse. */
export interface RegisterSpace {
  readRegisters(table: 'holding' | 'input', address: number, count: number, now: number): number[] | number;
  readBits(table: 'coil' | 'discrete', address: number, count: number, now: number): boolean[] | number;
  writeCoil(address: number, value: number, now: number): number | void;
  writeRegister(address: number, value: number, now: number): number | void;
  writeCoils(address: number, values: boolean[], now: number): number | void;
  writeRegisters(address: number, values: number[], now: number): number | void;
}

/**
 * The server side of the Modbus PDUs (Application Protocol v1.1b3, 6.1–6.12):
 * parses a request, asks the register space, builds the reply.
 */
export function servePdu(space: RegisterSpace, pdu: Buffer, now: number): Buffer {
  const fc = pdu[0] ?? 0;
  if (pdu.length < 5) return exceptionPdu(fc, EXCEPTION.illegalValue);
  const address = pdu.readUInt16BE(1);
  const word = pdu.readUInt16BE(3);
  switch (fc) {
    case FUNCTION_CODES.readCoils:
    case FUNCTION_CODES.readDiscreteInputs: {
      if (word < 1 || word > MAX_READ_BITS) return exceptionPdu(fc, EXCEPTION.illegalValue);
      const r = space.readBits(fc === 1 ? 'coil' : 'discrete', address, word, now);
      if (typeof r === 'number') return exceptionPdu(fc, r);
      const bytes = Math.ceil(word / 8);
      const out = Buffer.alloc(2 + bytes);
      out[0] = fc;
      out[1] = bytes;
      r.forEach((on, i) => {
        if (on) out[2 + (i >> 3)]! |= 1 << (i & 7);
      });
      return out;
    }
    case FUNCTION_CODES.readHoldingRegisters:
    case FUNCTION_CODES.readInputRegisters: {
      if (word < 1 || word > MAX_READ_REGISTERS) return exceptionPdu(fc, EXCEPTION.illegalValue);
      const r = space.readRegisters(fc === 3 ? 'holding' : 'input', address, word, now);
      if (typeof r === 'number') return exceptionPdu(fc, r);
      const out = Buffer.alloc(2 + word * 2);
      out[0] = fc;
      out[1] = word * 2;
      r.forEach((v, i) => out.writeUInt16BE(v & 0xffff, 2 + i * 2));
      return out;
    }
    case FUNCTION_CODES.writeSingleCoil:
    case FUNCTION_CODES.writeSingleRegister: {
      const r = fc === 5 ? space.writeCoil(address, word, now) : space.writeRegister(address, word, now);
      if (typeof r === 'number') return exceptionPdu(fc, r);
      return Buffer.from(pdu.subarray(0, 5));
    }
    case FUNCTION_CODES.writeMultipleCoils: {
      const bytes = pdu[5] ?? 0;
      if (word < 1 || word > MAX_WRITE_COILS || bytes !== Math.ceil(word / 8) || pdu.length !== 6 + bytes) return exceptionPdu(fc, EXCEPTION.illegalValue);
      const values: boolean[] = [];
      for (let i = 0; i < word; i++) values.push(((pdu[6 + (i >> 3)]! >> (i & 7)) & 1) === 1);
      const r = space.writeCoils(address, values, now);
      if (typeof r === 'number') return exceptionPdu(fc, r);
      return Buffer.from(pdu.subarray(0, 5));
    }
    case FUNCTION_CODES.writeMultipleRegisters: {
      const bytes = pdu[5] ?? 0;
      if (word < 1 || word > MAX_WRITE_REGISTERS || bytes !== word * 2 || pdu.length !== 6 + bytes) return exceptionPdu(fc, EXCEPTION.illegalValue);
      const values: number[] = [];
      for (let i = 0; i < word; i++) values.push(pdu.readUInt16BE(6 + i * 2));
      const r = space.writeRegisters(address, values, now);
      if (typeof r === 'number') return exceptionPdu(fc, r);
      return Buffer.from(pdu.subarray(0, 5));
    }
    default:
      return exceptionPdu(fc, EXCEPTION.illegalFunction);
  }
}
