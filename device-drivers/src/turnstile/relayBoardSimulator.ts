import { z } from 'zod';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';

export const RelayBoardSimulatorOptionsSchema = z.object({
  unitId: z.number().int().min(1).max(247).default(1),
  channels: z.number().int().min(1).max(64).default(8),
  inputs: z.number().int().min(0).max(64).default(8),
  /** Waveshare-style flash commands: FC05 to base + channel, value = time in flashUnitMs steps. */
  flashOnBase: z.number().int().min(0).max(0xffff).default(0x0200),
  flashOffBase: z.number().int().min(0).max(0xffff).default(0x0400),
  flashUnitMs: z.number().int().min(1).max(10_000).default(100),
  /** A person walks through shortly after the relay opens: coil → pass-sensor input. */
  autoPass: z
    .array(
      z.object({
        coil: z.number().int().min(0),
        input: z.number().int().min(0),
        afterMs: z.number().int().min(0).max(60_000).default(150),
        holdMs: z.number().int().min(1).max(60_000).default(200),
      }),
    )
    .default([]),
});
export type RelayBoardSimulatorOptions = z.input<typeof RelayBoardSimulatorOptionsSchema>;

export interface SimulatedPulse {
  channel: number;
  /** How long the contact was closed (flash: as commanded; on/off: as measured). */
  ms: number;
  via: 'flash' | 'on-off';
  at: number;
}

interface SimulatorEvents {
  coil: [change: { channel: number; on: boolean; at: number }];
  pulse: [pulse: SimulatedPulse];
  input: [change: { channel: number; value: boolean; at: number }];
}

const MAX_RECORDED = 10_000;
const EXC = { illegalFunction: 1, illegalAddress: 2, illegalValue: 3 } as const;

/**
 * An 8-channel Modbus relay board with discrete inputs, Waveshare-like: coils 0..n-1,
 * flash-on/flash-off commands, 0x00FF for all relays. It records every pulse, holds,
 * and can have a person walk through a turnstile (pass-sensor input). Serve it over
 * Modbus TCP, RTU on a serial path (pty), or RTU over TCP with relayBoardServers.
 */
export class RelayBoardSimulator extends SafeEmitter<SimulatorEvents> {
  readonly options: z.output<typeof RelayBoardSimulatorOptionsSchema>;
  readonly pulses: SimulatedPulse[] = [];
  readonly requests = { total: 0, exceptions: 0 };
  readonly #coils: boolean[];
  readonly #inputs: boolean[];
  readonly #onSince = new Map<number, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #flashTimers = new Map<number, NodeJS.Timeout>();

  constructor(options: RelayBoardSimulatorOptions = {}, logger: DriverLogger = silentLogger) {
    super((error, event) => logger.error({ err: error, event }, 'relay simulator listener threw'));
    this.options = parseOptions(RelayBoardSimulatorOptionsSchema, options, 'relay-simulator');
    this.#coils = new Array<boolean>(this.options.channels).fill(false);
    this.#inputs = new Array<boolean>(this.options.inputs).fill(false);
  }

  coils(): boolean[] {
    return [...this.#coils];
  }

  inputs(): boolean[] {
    return [...this.#inputs];
  }

  setInput(channel: number, value: boolean): void {
    if (channel < 0 || channel >= this.#inputs.length) throw new RangeError(`no input ${channel}`);
    if (this.#inputs[channel] === value) return;
    this.#inputs[channel] = value;
    this.emit('input', { channel, value, at: Date.now() });
  }

  /** A person crosses the pass sensor: input high for holdMs, then low. */
  simulatePass(input: number, holdMs = 200): Promise<void> {
    this.setInput(input, true);
    return new Promise((resolve) => {
      this.#later(holdMs, () => {
        this.setInput(input, false);
        resolve();
      });
    });
  }

  /** The board loses power: every relay drops, timers stop. */
  powerLoss(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#flashTimers.clear();
    for (let ch = 0; ch < this.#coils.length; ch++) this.#setCoil(ch, false);
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#flashTimers.clear();
  }

  /** Answers one request PDU; null when the request is not for this board (or broadcast). */
  handle(unitId: number, pdu: Buffer): Buffer | null {
    if (unitId !== this.options.unitId && unitId !== 0) return null;
    this.requests.total++;
    const response = this.#answer(pdu);
    if (response[0]! & 0x80) this.requests.exceptions++;
    return unitId === 0 ? null : response;
  }

  #answer(pdu: Buffer): Buffer {
    const fc = pdu[0] ?? 0;
    const ex = (code: number): Buffer => Buffer.from([fc | 0x80, code]);
    if (fc === 1 || fc === 2) {
      if (pdu.length !== 5) return ex(EXC.illegalValue);
      const addr = pdu.readUInt16BE(1);
      const qty = pdu.readUInt16BE(3);
      const bits = fc === 1 ? this.#coils : this.#inputs;
      if (qty < 1 || qty > 2000) return ex(EXC.illegalValue);
      if (addr + qty > bits.length) return ex(EXC.illegalAddress);
      const bytes = Math.ceil(qty / 8);
      const out = Buffer.alloc(2 + bytes);
      out[0] = fc;
      out[1] = bytes;
      for (let i = 0; i < qty; i++) if (bits[addr + i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
      return out;
    }
    if (fc === 5) {
      if (pdu.length !== 5) return ex(EXC.illegalValue);
      const addr = pdu.readUInt16BE(1);
      const value = pdu.readUInt16BE(3);
      const o = this.options;
      if (addr < o.channels || addr === 0x00ff) {
        if (value !== 0xff00 && value !== 0x0000) return ex(EXC.illegalValue);
        const targets = addr === 0x00ff ? this.#coils.map((_, i) => i) : [addr];
        for (const ch of targets) this.#write(ch, value === 0xff00);
        return Buffer.from(pdu);
      }
      for (const [base, on] of [
        [o.flashOnBase, true],
        [o.flashOffBase, false],
      ] as const) {
        if (addr >= base && addr < base + o.channels) {
          if (value === 0) return ex(EXC.illegalValue);
          this.#flash(addr - base, on, value * o.flashUnitMs);
          return Buffer.from(pdu);
        }
      }
      return ex(EXC.illegalAddress);
    }
    if (fc === 15) {
      if (pdu.length < 6) return ex(EXC.illegalValue);
      const addr = pdu.readUInt16BE(1);
      const qty = pdu.readUInt16BE(3);
      if (qty < 1 || pdu[5] !== Math.ceil(qty / 8) || pdu.length !== 6 + pdu[5]!) return ex(EXC.illegalValue);
      if (addr + qty > this.#coils.length) return ex(EXC.illegalAddress);
      for (let i = 0; i < qty; i++) this.#write(addr + i, (pdu[6 + (i >> 3)]! & (1 << (i & 7))) !== 0);
      return pdu.subarray(0, 5);
    }
    return ex(EXC.illegalFunction);
  }

  #write(channel: number, on: boolean): void {
    const flash = this.#flashTimers.get(channel);
    if (flash) {
      clearTimeout(flash);
      this.#timers.delete(flash);
      this.#flashTimers.delete(channel);
    }
    this.#setCoil(channel, on);
  }

  #flash(channel: number, on: boolean, ms: number): void {
    this.#write(channel, on);
    if (on) this.#record({ channel, ms, via: 'flash', at: Date.now() });
    const timer = this.#later(ms, () => {
      this.#flashTimers.delete(channel);
      this.#setCoil(channel, !on, true);
    });
    this.#flashTimers.set(channel, timer);
  }

  #setCoil(channel: number, on: boolean, flashEnd = false): void {
    if (this.#coils[channel] === on) return;
    this.#coils[channel] = on;
    const at = Date.now();
    this.emit('coil', { channel, on, at });
    if (on) {
      this.#onSince.set(channel, at);
      for (const link of this.options.autoPass) {
        if (link.coil === channel && link.input < this.#inputs.length) this.#later(link.afterMs, () => void this.simulatePass(link.input, link.holdMs));
      }
    } else {
      const since = this.#onSince.get(channel);
      this.#onSince.delete(channel);
      if (since !== undefined && !flashEnd && !this.#wasFlash(channel, since)) this.#record({ channel, ms: at - since, via: 'on-off', at: since });
    }
  }

  #wasFlash(channel: number, since: number): boolean {
    const last = this.pulses.findLast((p) => p.channel === channel);
    return last !== undefined && last.via === 'flash' && last.at >= since;
  }

  #record(pulse: SimulatedPulse): void {
    this.pulses.push(pulse);
    if (this.pulses.length > MAX_RECORDED) this.pulses.splice(0, this.pulses.length - MAX_RECORDED);
    this.emit('pulse', pulse);
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}
