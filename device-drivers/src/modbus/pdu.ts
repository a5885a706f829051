/**
 * Modbus PDUs (function code + data), independent of RTU or TCP framing.
 * Modbus Application Protocol Specification v1.1b3, sections 6.1–6.12.
 */
export const REGISTER_TABLES = ['coil', 'discrete', 'holding', 'input'] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];

export const FUNCTION_CODES = {
  readCoils: 0x01,
  readDiscreteInputs: 0x02,
  readHoldingRegisters: 0x03,
  readInputRegisters: 0x04,
  writeSingleCoil: 0x05,
  writeSingleRegister: 0x06,
  writeMultipleCoils: 0x0f,
  writeMultipleRegisters: 0x10,
} as const;

export const READ_FUNCTION: Record<RegisterTable, number> = {
  coil: FUNCTION_CODES.readCoils,
  discrete: FUNCTION_CODES.readDiscreteInputs,
  holding: FUNCTION_CODES.readHoldingRegisters,
  input: FUNCTION_CODES.readInputRegisters,
};

/** Spec limits of one request (section 6.1–6.4, 6.11, 6.12). */
export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;
export const MAX_WRITE_REGISTERS = 123;
export const MAX_WRITE_COILS = 1968;

export function isBitTable(table: RegisterTable): boolean {
  return table === 'coil' || table === 'discrete';
}

export type ModbusRequest =
  | { kind: 'read'; table: RegisterTable; address: number; count: number }
  /**
   * `value` is the raw 16-bit word: 0xFF00 = on, 0x0000 = off per the spec. Some
   * relay boards define more (Waveshare: 0x5500 toggle, flash times), so it stays raw.
   */
  | { kind: 'write-coil'; address: number; value: number }
  | { kind: 'write-register'; address: number; value: number }
  | { kind: 'write-coils'; address: number; values: readonly boolean[] }
  | { kind: 'write-registers'; address: number; values: readonly number[] };

export type ModbusResult =
  | { kind: 'registers'; values: Uint16Array }
  | { kind: 'bits'; values: boolean[] }
  | { kind: 'written' };

export function functionCodeOf(req: ModbusRequest): number {
  switch (req.kind) {
    case 'read':
      return READ_FUNCTION[req.table];
    case 'write-coil':
      return FUNCTION_CODES.writeSingleCoil;
    case 'write-register':
      return FUNCTION_CODES.writeSingleRegister;
    case 'write-coils':
      return FUNCTION_CODES.writeMultipleCoils;
    case 'write-registers':
      return FUNCTION_CODES.writeMultipleRegisters;
  }
}

export function isWrite(req: ModbusRequest): boolean {
  return req.kind !== 'read';
}

function u16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} must be an integer 0..65535, got ${v}`);
  return v;
}

/** Throws RangeError for a request the spec does not allow (so it never reaches the wire). */
export function validateRequest(req: ModbusRequest): void {
  u16(req.address, 'address');
  switch (req.kind) {
    case 'read': {
      const max = isBitTable(req.table) ? MAX_READ_BITS : MAX_READ_REGISTERS;
      if (!Number.isInteger(req.count) || req.count < 1 || req.count > max) throw new RangeError(`read count must be 1..${max}, got ${req.count}`);
      if (req.address + req.count > 0x10000) throw new RangeError('read runs past address 65535');
      return;
    }
    case 'write-coil':
    case 'write-register':
      u16(req.value, 'value');
      return;
    case 'write-coils':
      if (req.values.length < 1 || req.values.length > MAX_WRITE_COILS) throw new RangeError(`write must carry 1..${MAX_WRITE_COILS} coils`);
      return;
    case 'write-registers':
      if (req.values.length < 1 || req.values.length > MAX_WRITE_REGISTERS) throw new RangeError(`write must carry 1..${MAX_WRITE_REGISTERS} registers`);
      req.values.forEach((v) => u16(v, 'register value'));
      return;
  }
}

export function encodeRequest(req: ModbusRequest): Buffer {
  validateRequest(req);
  const fc = functionCodeOf(req);
  switch (req.kind) {
    case 'read': {
      const b = Buffer.alloc(5);
      b[0] = fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.count, 3);
      return b;
    }
    case 'write-coil':
    case 'write-register': {
      const b = Buffer.alloc(5);
      b[0] = fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.value, 3);
      return b;
    }
    case 'write-coils': {
      const bytes = Math.ceil(req.values.length / 8);
      const b = Buffer.alloc(6 + bytes);
      b[0] = fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b[5] = bytes;
      req.values.forEach((on, i) => {
        if (on) b[6 + (i >> 3)]! |= 1 << (i & 7);
      });
      return b;
    }
    case 'write-registers': {
      const b = Buffer.alloc(6 + req.values.length * 2);
      b[0] = fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b[5] = req.values.length * 2;
      req.values.forEach((v, i) => b.writeUInt16BE(v, 6 + i * 2));
      return b;
    }
  }
}

/** Length in bytes of the normal (non-exception) response PDU to `req`. */
export function responsePduLength(req: ModbusRequest): number {
  if (req.kind === 'read') return 2 + (isBitTable(req.table) ? Math.ceil(req.count / 8) : req.count * 2);
  return 5;
}

/** An exception reply: the device is alive and answered, but refused. */
export class ModbusExceptionReply extends Error {
  constructor(
    readonly functionCode: number,
    readonly exceptionCode: number,
  ) {
    super(`exception ${exceptionCode} to function ${functionCode}`);
    this.name = 'ModbusExceptionReply';
  }
}

/** A reply that is a frame but not a valid answer to the request. */
export class MalformedReply extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'MalformedReply';
  }
}

/**
 * Decodes a response PDU to `req`. Throws ModbusExceptionReply for an exception
 * reply and MalformedReply for anything inconsistent with the request (wrong
 * function, byte count, echo) — a device must not make us store wrong data.
 */
export function decodeResponse(req: ModbusRequest, pdu: Uint8Array): ModbusResult {
  const fc = functionCodeOf(req);
  if (pdu.length < 2) throw new MalformedReply('reply too short');
  if (pdu[0] === (fc | 0x80)) {
    if (pdu.length !== 2) throw new MalformedReply('exception reply has wrong length');
    throw new ModbusExceptionReply(fc, pdu[1]!);
  }
  if (pdu[0] !== fc) throw new MalformedReply(`reply has function ${pdu[0]}, expected ${fc}`);
  const view = Buffer.from(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  switch (req.kind) {
    case 'read': {
      const expected = responsePduLength(req) - 2;
      if (pdu[1] !== expected || pdu.length !== expected + 2) throw new MalformedReply(`byte count ${pdu[1]} with ${pdu.length - 2} data bytes, expected ${expected}`);
      if (isBitTable(req.table)) {
        const values: boolean[] = new Array<boolean>(req.count);
        for (let i = 0; i < req.count; i++) values[i] = ((pdu[2 + (i >> 3)]! >> (i & 7)) & 1) === 1;
        return { kind: 'bits', values };
      }
      const values = new Uint16Array(req.count);
      for (let i = 0; i < req.count; i++) values[i] = view.readUInt16BE(2 + i * 2);
      return { kind: 'registers', values };
    }
    case 'write-coil':
    case 'write-register': {
      if (pdu.length !== 5) throw new MalformedReply('write echo has wrong length');
      if (view.readUInt16BE(1) !== req.address || view.readUInt16BE(3) !== req.value) throw new MalformedReply('write echo does not match the request');
      return { kind: 'written' };
    }
    case 'write-coils':
    case 'write-registers': {
      if (pdu.length !== 5) throw new MalformedReply('write reply has wrong length');
      if (view.readUInt16BE(1) !== req.address || view.readUInt16BE(3) !== req.values.length) throw new MalformedReply('write reply does not match the request');
      return { kind: 'written' };
    }
  }
}
