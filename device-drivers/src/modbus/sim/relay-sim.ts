import { WAVESHARE } from '../../relay/waveshare.js';
import { EXCEPTION, servePdu, type RegisterSpace, type SimulatedDevice } from './slave-device.js';

export interface SimulatedRelayBoardOptions {
  unit: number;
  channels?: number;
  /** 'waveshare': vendor FC05 commands; 'generic-coils': plain coils only. */
  profile?: 'waveshare' | 'generic-coils';
  firmwareVersion?: number;
}

export interface RelayCommandLog {
  functionCode: number;
  address: number;
  value: number;
  at: number;
}

/**
 * A Waveshare-style Modbus RTU relay board: coils for the relays, FC05 vendor
 * values for toggle, all-relays and timed flash (see relay/waveshare.ts).
 */
export class SimulatedRelayBoard implements SimulatedDevice, RegisterSpace {
  readonly unit: number;
  readonly channels: number;
  readonly states: boolean[];
  readonly commands: RelayCommandLog[] = [];
  /** Channels (from 0) whose relay ignores commands: a welded contact or a dead coil. */
  readonly stuck = new Set<number>();
  private readonly profile: 'waveshare' | 'generic-coils';
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly holding = new Map<number, number>();

  constructor(options: SimulatedRelayBoardOptions) {
    this.unit = options.unit;
    this.channels = options.channels ?? 8;
    this.profile = options.profile ?? 'waveshare';
    this.states = new Array<boolean>(this.channels).fill(false);
    this.holding.set(WAVESHARE.addressRegister, options.unit);
    this.holding.set(WAVESHARE.baudRegister, 0x0001);
    this.holding.set(WAVESHARE.versionRegister, options.firmwareVersion ?? 0x00c8);
  }

  handle(pdu: Buffer, now: number): Buffer {
    return servePdu(this, pdu, now);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  readBits(table: 'coil' | 'discrete', address: number, count: number): boolean[] | number {
    if (table !== 'coil' || address + count > this.channels) return EXCEPTION.illegalAddress;
    return this.states.slice(address, address + count);
  }

  readRegisters(table: 'holding' | 'input', address: number, count: number): number[] | number {
    if (table !== 'holding' || count !== 1 || !this.holding.has(address)) return EXCEPTION.illegalAddress;
    return [this.holding.get(address)!];
  }

  writeCoil(address: number, value: number, now: number): number | void {
    this.commands.push({ functionCode: 5, address, value, at: now });
    if (address < this.channels) {
      if (value === WAVESHARE.on) return this.setState(address, true);
      if (value === WAVESHARE.off) return this.setState(address, false);
      if (value === WAVESHARE.toggle && this.profile === 'waveshare') return this.setState(address, !this.states[address]);
      return EXCEPTION.illegalValue;
    }
    if (this.profile !== 'waveshare') return EXCEPTION.illegalAddress;
    if (address === WAVESHARE.allRelays) {
      if (value !== WAVESHARE.on && value !== WAVESHARE.off && value !== WAVESHARE.toggle) return EXCEPTION.illegalValue;
      for (let i = 0; i < this.channels; i++) this.setState(i, value === WAVESHARE.toggle ? !this.states[i] : value === WAVESHARE.on);
      return;
    }
    const kind = address & 0xff00;
    const channel = address & 0x00ff;
    if ((kind === WAVESHARE.flashOnBase || kind === WAVESHARE.flashOffBase) && channel < this.channels) {
      if (value < 1 || value > WAVESHARE.flashMaxUnits) return EXCEPTION.illegalValue;
      const first = kind === WAVESHARE.flashOnBase;
      this.setState(channel, first);
      const t = setTimeout(() => {
        this.timers.delete(channel);
        this.setState(channel, !first);
      }, value * WAVESHARE.flashUnitMs);
      t.unref();
      this.timers.set(channel, t);
      return;
    }
    return EXCEPTION.illegalAddress;
  }

  writeCoils(address: number, values: boolean[], now: number): number | void {
    this.commands.push({ functionCode: 15, address, value: values.length, at: now });
    if (address + values.length > this.channels) return EXCEPTION.illegalAddress;
    values.forEach((v, i) => this.setState(address + i, v));
  }

  writeRegister(address: number, value: number, now: number): number | void {
    this.commands.push({ functionCode: 6, address, value, at: now });
    // Address and baud changes are stored and read back; the simulator keeps
    // answering on its unit and line (a test rig cannot re-wire itself).
    if (address !== WAVESHARE.addressRegister && address !== WAVESHARE.baudRegister) return EXCEPTION.illegalAddress;
    this.holding.set(address, value);
  }

  writeRegisters(): number {
    return EXCEPTION.illegalFunction;
  }

  private setState(index: number, on: boolean): void {
    if (this.stuck.has(index)) return;
    const t = this.timers.get(index);
    if (t) clearTimeout(t);
    this.timers.delete(index);
    this.states[index] = on;
  }
}
