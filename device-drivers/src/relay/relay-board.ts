import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import type { RequestOptions } from '../modbus/bus.js';
import type { ModbusRequest, ModbusResult } from '../modbus/pdu.js';
import { EnergyConfigError, configError, issue } from '../meters/errors.js';
import { WAVESHARE } from './waveshare.js';

export const RELAY_PROFILES = ['waveshare', 'generic-coils'] as const;
export type RelayProfile = (typeof RELAY_PROFILES)[number];

export const RelayBoardConfigSchema = z.strictObject({
  id: z.string().regex(ID_RE),
  unit: z.number().int().min(1).max(255),
  channels: z.number().int().min(1).max(64).default(8),
  /**
   * waveshare: the vendor commands (hardware-timed flash, one-frame all-off).
   * generic-coils: plain FC05/FC0F/FC01 on coils from `coilBase`; flash is timed here.
   */
  profile: z.enum(RELAY_PROFILES).default('waveshare'),
  coilBase: z.number().int().min(0).max(0xffff).default(0),
});
export type RelayBoardConfigInput = z.input<typeof RelayBoardConfigSchema>;
export type RelayBoardConfig = z.output<typeof RelayBoardConfigSchema>;

export interface RelayRequester {
  execute(unit: number, request: ModbusRequest, options?: RequestOptions): Promise<ModbusResult>;
}

export interface RelayConfirmation {
  /** The read-back agrees with what was asked. */
  confirmed: boolean;
  states: boolean[];
}

const COMMAND: RequestOptions = { priority: 'command' };

/**
 * A relay board on a Modbus bus. Channels are numbered from 1, as printed on the
 * board. Every call is a command: it jumps ahead of meter polls on the bus.
 * Errors: EnergyConfigError for a wrong channel or flash time (nothing is sent),
 * ModbusError when the board does not answer or refuses.
 */
export class RelayBoard {
  readonly config: RelayBoardConfig;
  private readonly hostFlashes = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly bus: RelayRequester,
    config: RelayBoardConfigInput,
  ) {
    const parsed = RelayBoardConfigSchema.safeParse(config);
    if (!parsed.success) {
      const deviceId = typeof config?.id === 'string' ? config.id : '?';
      throw new EnergyConfigError(parsed.error.issues.map((i) => issue('energy.invalid_device', { deviceId, detail: `${i.path.join('.')}: ${i.message}` })));
    }
    this.config = parsed.data;
  }

  get id(): string {
    return this.config.id;
  }

  async set(channel: number, on: boolean): Promise<void> {
    const coil = this.coilOf(channel);
    this.cancelHostFlash(channel);
    await this.bus.execute(this.config.unit, { kind: 'write-coil', address: coil, value: on ? WAVESHARE.on : WAVESHARE.off }, COMMAND);
  }

  /**
   * Switches a channel for `ms`, then back: mode 'on' = on then off (a bell, a
   * reset pulse), 'off' = off then on. Waveshare boards time it themselves in
   * 100 ms steps (ms is rounded); generic boards are timed by this process.
   */
  async flash(channel: number, ms: number, mode: 'on' | 'off' = 'on'): Promise<void> {
    const coil = this.coilOf(channel);
    const max = WAVESHARE.flashMaxUnits * WAVESHARE.flashUnitMs;
    if (!Number.isFinite(ms) || ms < WAVESHARE.flashUnitMs / 2 || ms > max) {
      throw configError('energy.relay_flash_time', { deviceId: this.id, ms, min: WAVESHARE.flashUnitMs, max });
    }
    this.cancelHostFlash(channel);
    if (this.config.profile === 'waveshare') {
      const units = Math.max(1, Math.round(ms / WAVESHARE.flashUnitMs));
      const base = mode === 'on' ? WAVESHARE.flashOnBase : WAVESHARE.flashOffBase;
      await this.bus.execute(this.config.unit, { kind: 'write-coil', address: base + (coil - this.config.coilBase), value: units }, COMMAND);
      return;
    }
    await this.bus.execute(this.config.unit, { kind: 'write-coil', address: coil, value: mode === 'on' ? WAVESHARE.on : WAVESHARE.off }, COMMAND);
    const timer = setTimeout(() => {
      this.hostFlashes.delete(channel);
      this.bus
        .execute(this.config.unit, { kind: 'write-coil', address: coil, value: mode === 'on' ? WAVESHARE.off : WAVESHARE.on }, COMMAND)
        .catch(() => undefined);
    }, ms);
    timer.unref();
    this.hostFlashes.set(channel, timer);
  }

  async allOff(): Promise<void> {
    this.cancelAllHostFlashes();
    if (this.config.profile === 'waveshare') {
      await this.bus.execute(this.config.unit, { kind: 'write-coil', address: WAVESHARE.allRelays, value: WAVESHARE.off }, COMMAND);
      return;
    }
    await this.setAll(new Array<boolean>(this.config.channels).fill(false));
  }

  /** Sets every channel in one frame (FC0F); states[0] is channel 1. */
  async setAll(states: readonly boolean[]): Promise<void> {
    if (states.length !== this.config.channels) throw configError('energy.relay_channel', { deviceId: this.id, channel: states.length, channels: this.config.channels });
    this.cancelAllHostFlashes();
    await this.bus.execute(this.config.unit, { kind: 'write-coils', address: this.config.coilBase, values: states }, COMMAND);
  }

  /** Reads every channel's state from the board; [0] is channel 1. */
  async readStates(): Promise<boolean[]> {
    const r = await this.bus.execute(this.config.unit, { kind: 'read', table: 'coil', address: this.config.coilBase, count: this.config.channels }, COMMAND);
    if (r.kind !== 'bits') throw new Error('unexpected reply kind');
    return r.values;
  }

  /** Switches, reads back, and says whether the board agrees (the caller retries or alarms). */
  async setAndConfirm(channel: number, on: boolean): Promise<RelayConfirmation> {
    await this.set(channel, on);
    const states = await this.readStates();
    return { confirmed: states[channel - 1] === on, states };
  }

  /** Cancels host-timed flashes (generic boards) so none fires after shutdown. */
  dispose(): void {
    this.cancelAllHostFlashes();
  }

  private coilOf(channel: number): number {
    if (!Number.isInteger(channel) || channel < 1 || channel > this.config.channels) {
      throw configError('energy.relay_channel', { deviceId: this.id, channel, channels: this.config.channels });
    }
    return this.config.coilBase + channel - 1;
  }

  private cancelHostFlash(channel: number): void {
    const t = this.hostFlashes.get(channel);
    if (t) clearTimeout(t);
    this.hostFlashes.delete(channel);
  }

  private cancelAllHostFlashes(): void {
    for (const t of this.hostFlashes.values()) clearTimeout(t);
    this.hostFlashes.clear();
  }
}
