import { EventEmitter } from 'node:events';
import { crc16, withCrc } from '../crc16.js';
import { wireTimeMs, type LineFormat } from '../wire-time.js';
import { exceptionPdu, type SimulatedDevice } from './slave-device.js';

/** Trouble a simulated device can be told to make. Counted faults apply to the next N replies. */
export interface SimFaults {
  /** A dead device: never answers. */
  silent: boolean;
  /** Answer every request with this exception code. */
  exception: number | null;
  /** Next N replies with a wrong CRC. */
  crcErrors: number;
  /** Next N replies cut short by 3 bytes. */
  shortFrames: number;
  /** Next N replies with two extra bytes (and a CRC over all of it). */
  overlongFrames: number;
  /** Next N replies preceded by line noise. */
  noiseBefore: number;
  /** Extra turnaround before replying. */
  extraDelayMs: number;
}

const NO_FAULTS: SimFaults = { silent: false, exception: null, crcErrors: 0, shortFrames: 0, overlongFrames: 0, noiseBefore: 0, extraDelayMs: 0 };

/**
 * Reply timing: the true wire time of request and reply at `baudRate` plus the
 * device's turnaround, measured from the request's arrival — what a real
 * RS-485 line costs even when the bytes travel through a pty.
 */
export interface Pacing extends LineFormat {
  turnaroundMs: number;
}

export interface SimRequest {
  unit: number;
  functionCode: number;
  address: number;
  /** Wall-clock ms and performance.now() of arrival. */
  at: number;
  mono: number;
  answered: boolean;
}

export interface SimReply {
  bytes: Buffer;
  delayMs: number;
}

/**
 * One simulated bus segment: the devices on it by unit address and the faults
 * they are told to make. Transports (serial, TCP) feed it requests.
 */
export class SimulatedModbusLine extends EventEmitter<{ request: [SimRequest] }> {
  private readonly devices = new Map<number, SimulatedDevice>();
  private readonly faults = new Map<number, SimFaults>();

  constructor(readonly pacing: Pacing | null = null) {
    super();
  }

  add(...devices: SimulatedDevice[]): this {
    for (const d of devices) {
      if (this.devices.has(d.unit)) throw new Error(`unit ${d.unit} already on this simulated line`);
      this.devices.set(d.unit, d);
    }
    return this;
  }

  remove(unit: number): void {
    this.devices.get(unit)?.close?.();
    this.devices.delete(unit);
    this.faults.delete(unit);
  }

  device<T extends SimulatedDevice = SimulatedDevice>(unit: number): T | undefined {
    return this.devices.get(unit) as T | undefined;
  }

  units(): number[] {
    return [...this.devices.keys()].sort((a, b) => a - b);
  }

  setFaults(unit: number, faults: Partial<SimFaults>): void {
    this.faults.set(unit, { ...(this.faults.get(unit) ?? NO_FAULTS), ...faults });
  }

  clearFaults(unit?: number): void {
    if (unit === undefined) this.faults.clear();
    else this.faults.delete(unit);
  }

  close(): void {
    for (const d of this.devices.values()) d.close?.();
  }

  /**
   * An RTU request frame in (CRC already checked); the reply frame out, or null
   * when nobody answers (no such unit, a dead device, a broadcast).
   */
  respondRtu(frame: Buffer, now: number): SimReply | null {
    const unit = frame[0]!;
    const pdu = frame.subarray(1, frame.length - 2);
    const replyPdu = this.respondPdu(unit, pdu, now);
    if (!replyPdu) return null;
    const f = this.faults.get(unit) ?? NO_FAULTS;
    let bytes = withCrc(Buffer.concat([Buffer.from([unit]), replyPdu]));
    if (this.take(unit, 'crcErrors')) bytes[bytes.length - 1]! ^= 0x5a;
    else if (this.take(unit, 'shortFrames')) bytes = bytes.subarray(0, Math.max(2, bytes.length - 3));
    else if (this.take(unit, 'overlongFrames')) {
      const body = Buffer.concat([bytes.subarray(0, bytes.length - 2), Buffer.from([0x00, 0x00])]);
      bytes = withCrc(body);
    }
    if (this.take(unit, 'noiseBefore')) bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0x5a]), bytes]);
    const wire = this.pacing ? wireTimeMs(frame.length + bytes.length, this.pacing) + this.pacing.turnaroundMs : 0;
    return { bytes, delayMs: wire + f.extraDelayMs };
  }

  /** A request PDU for `unit`; the reply PDU, or null for silence. Used by Modbus TCP directly. */
  respondPdu(unit: number, pdu: Buffer, now: number): Buffer | null {
    const device = this.devices.get(unit);
    const f = this.faults.get(unit) ?? NO_FAULTS;
    const request: SimRequest = {
      unit,
      functionCode: pdu[0] ?? 0,
      address: pdu.length >= 3 ? pdu.readUInt16BE(1) : -1,
      at: now,
      mono: performance.now(),
      answered: Boolean(device) && !f.silent && unit !== 0,
    };
    this.emit('request', request);
    if (unit === 0) {
      for (const d of this.devices.values()) d.handle(pdu, now);
      return null;
    }
    if (!device || f.silent) return null;
    if (f.exception !== null) return exceptionPdu(pdu[0] ?? 0, f.exception);
    try {
      return device.handle(pdu, now);
    } catch {
      // A bug in a simulated device is what a real one reports as exception 4.
      return exceptionPdu(pdu[0] ?? 0, 4);
    }
  }

  /** Extra turnaround configured for a unit (Modbus TCP replies use it directly). */
  extraDelayOf(unit: number): number {
    return this.faults.get(unit)?.extraDelayMs ?? 0;
  }

  /** Uses up one counted fault; true when it applies to this reply. */
  take(unit: number, key: 'crcErrors' | 'shortFrames' | 'overlongFrames' | 'noiseBefore'): boolean {
    const f = this.faults.get(unit);
    if (!f || f[key] <= 0) return false;
    f[key]--;
    return true;
  }
}

/** CRC check exposed for transports (they drop damaged requests like a real device). */
export function requestCrcOk(frame: Buffer): boolean {
  return frame.length >= 4 && crc16(frame, 0, frame.length - 2) === frame.readUInt16LE(frame.length - 2);
}
