import { z } from 'zod';
import { parseOptions } from '../serial/options.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import type { LinkStatus } from '../serial/linkStatus.js';
import type { CoilBus, DiscreteInputs, RelayOutput } from './relayOutput.js';

export const ModbusRelayBoardOptionsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  unitId: z.number().int().min(1).max(247).default(1),
  channels: z.number().int().min(1).max(256).default(8),
  /** Coil address of relay channel 0 (Waveshare and most boards: 0). */
  coilBase: z.number().int().min(0).max(0xffff).default(0),
  /** Discrete input address of input 0. */
  inputBase: z.number().int().min(0).max(0xffff).default(0),
  /**
   * 'flash': the board times the pulse itself (Waveshare "flash on": FC05 to
   * flashOnBase + channel, value = time in flashUnitMs steps); a crash of the edge
   * mid-pulse cannot leave a gate open. 'timer': coil on, then off after a timer here;
   * works with any board.
   */
  pulseMode: z.enum(['flash', 'timer']).default('timer'),
  flashOnBase: z.number().int().min(0).max(0xffff).default(0x0200),
  flashUnitMs: z.number().int().min(1).max(10_000).default(100),
  /** How often unconfirmed relay states are written again while the board is unreachable. */
  retryMs: z.number().int().min(50).max(60_000).default(500),
});
export type ModbusRelayBoardOptions = z.input<typeof ModbusRelayBoardOptionsSchema>;

export interface RelayBoardStatus {
  id: string;
  link: LinkStatus;
  /** Channels held closed (fire alarm, manual). */
  held: number[];
  /** Channels whose wanted state the board has not confirmed yet. */
  unconfirmed: number[];
  pulses: number;
  failedCommands: number;
}

/**
 * A Modbus relay board driving turnstile unlock inputs. It remembers what each channel
 * should be and writes it again whenever that is unconfirmed: after a failed write, and
 * after every reconnect (a board that lost power comes back with every relay open, which
 * would silently end a fire-alarm hold).
 */
export class ModbusRelayBoard implements RelayOutput, DiscreteInputs {
  readonly id: string;
  readonly options: z.output<typeof ModbusRelayBoardOptionsSchema>;
  readonly #bus: CoilBus;
  readonly #logger: DriverLogger;
  readonly #wanted = new Map<number, boolean>();
  readonly #unconfirmed = new Set<number>();
  readonly #offTimers = new Map<number, NodeJS.Timeout>();
  #retryTimer: NodeJS.Timeout | null = null;
  #detach: (() => void) | null = null;
  #reconciling = false;
  #pulses = 0;
  #failed = 0;

  constructor(bus: CoilBus, options: ModbusRelayBoardOptions, logger: DriverLogger = silentLogger) {
    this.options = parseOptions(ModbusRelayBoardOptionsSchema, options, 'relay-board');
    this.id = this.options.id;
    this.#bus = bus;
    this.#logger = logger;
  }

  /** Starts re-applying wanted states on reconnect. The bus itself is opened by its owner. */
  start(): void {
    this.#detach ??= this.#bus.onOpen(() => {
      for (const ch of this.#wanted.keys()) this.#unconfirmed.add(ch);
      void this.#reconcile();
    });
  }

  stop(): void {
    this.#detach?.();
    this.#detach = null;
    for (const t of this.#offTimers.values()) clearTimeout(t);
    this.#offTimers.clear();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  async pulse(channel: number, ms: number): Promise<void> {
    this.#check(channel);
    if (!(ms > 0)) throw new RangeError(`pulse length ${ms} ms must be positive`);
    if (this.#wanted.get(channel) === true && !this.#offTimers.has(channel)) return; // held open already
    const o = this.options;
    try {
      if (o.pulseMode === 'flash') {
        const steps = Math.min(0xffff, Math.max(1, Math.ceil(ms / o.flashUnitMs)));
        await this.#bus.writeSingleCoilValue(o.unitId, o.flashOnBase + channel, steps);
        this.#wanted.set(channel, false);
      } else {
        this.#wanted.set(channel, true);
        this.#unconfirmed.add(channel);
        this.#armOff(channel, ms);
        await this.#bus.writeCoil(o.unitId, o.coilBase + channel, true);
        this.#unconfirmed.delete(channel);
      }
      this.#pulses++;
    } catch (error) {
      this.#failed++;
      if (o.pulseMode === 'timer') {
        // The "on" may or may not have reached the board: make sure it ends off.
        this.#clearOff(channel);
        this.#want(channel, false);
      }
      throw error;
    }
  }

  async set(channel: number, on: boolean): Promise<void> {
    this.#check(channel);
    this.#clearOff(channel);
    this.#wanted.set(channel, on);
    this.#unconfirmed.add(channel);
    try {
      await this.#bus.writeCoil(this.options.unitId, this.options.coilBase + channel, on);
      if (this.#wanted.get(channel) === on) this.#unconfirmed.delete(channel);
    } catch (error) {
      this.#failed++;
      this.#scheduleRetry();
      throw error;
    }
  }

  readInputs(first: number, count: number): Promise<boolean[]> {
    return this.#bus.readDiscreteInputs(this.options.unitId, this.options.inputBase + first, count);
  }

  status(): LinkStatus {
    return this.#bus.status();
  }

  boardStatus(): RelayBoardStatus {
    return {
      id: this.id,
      link: this.#bus.status(),
      held: [...this.#wanted].filter(([ch, on]) => on && !this.#offTimers.has(ch)).map(([ch]) => ch),
      unconfirmed: [...this.#unconfirmed],
      pulses: this.#pulses,
      failedCommands: this.#failed,
    };
  }

  #check(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.options.channels) {
      throw new RangeError(`relay board ${this.id} has no channel ${channel} (0..${this.options.channels - 1})`);
    }
  }

  #armOff(channel: number, ms: number): void {
    this.#clearOff(channel);
    const timer = setTimeout(() => {
      this.#offTimers.delete(channel);
      this.#want(channel, false);
    }, ms);
    this.#offTimers.set(channel, timer);
  }

  #clearOff(channel: number): void {
    const t = this.#offTimers.get(channel);
    if (t) clearTimeout(t);
    this.#offTimers.delete(channel);
  }

  #want(channel: number, on: boolean): void {
    this.#wanted.set(channel, on);
    this.#unconfirmed.add(channel);
    void this.#reconcile();
  }

  async #reconcile(): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      for (const channel of [...this.#unconfirmed]) {
        if (this.#offTimers.has(channel)) continue; // a running pulse decides this channel
        const on = this.#wanted.get(channel) ?? false;
        try {
          await this.#bus.writeCoil(this.options.unitId, this.options.coilBase + channel, on);
          if (this.#wanted.get(channel) === on) this.#unconfirmed.delete(channel);
        } catch (error) {
          this.#failed++;
          this.#logger.warn({ err: error, board: this.id, channel, on }, 'relay state not confirmed; will retry');
          break;
        }
      }
    } finally {
      this.#reconciling = false;
      if ([...this.#unconfirmed].some((ch) => !this.#offTimers.has(ch))) this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#reconcile();
    }, this.options.retryMs);
    this.#retryTimer.unref();
  }
}
