import type { ModbusBusStatus } from '@campus/protocol/energy/index';
import { MODBUS_REASONS } from '@campus/protocol/energy/index';
import { bilingual } from '@campus/protocol/i18n/index';
import type { DeviceStateChange, ModbusBus } from '../modbus/bus.js';
import type { LinkState, LinkStatus } from '../serial/linkStatus.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import type { CoilBus } from './relayOutput.js';
import './messages.js';

export interface ModbusLineCoilBusOptions {
  /** Link id shown on the gate pages; default "modbus-line:<bus id>". */
  id?: string;
  /**
   * Units of the relay boards this coil bus speaks for. When all of them are offline
   * the coil bus reports 'error' although the line itself is open (a dead board on a
   * healthy RS-485 pair). Default: every unit it has talked to.
   */
  units?: readonly number[];
  /** Start and stop the line with this coil bus (a line of its own). Default false: the line's owner starts it. */
  ownsLine?: boolean;
}

const LINK_STATE: Record<ModbusBusStatus['state'], LinkState> = { connecting: 'connecting', open: 'open', down: 'error', stopped: 'closed' };

/**
 * The relay boards' Modbus calls served by a shared ModbusBus, so gate boards and
 * energy meters can hang on one RS-485 pair behind one master. Gate commands
 * (FC05) are 'command' priority: they wait at most for the transaction already on
 * the wire. Input reads (FC01/FC02) are 'poll' priority, in turn with meter polls.
 *
 * onOpen fires when the line (re)opens and when one of the boards comes back from
 * offline — on a shared serial line a board that lost power never closes the link,
 * yet it comes back with every relay open, and a fire-alarm hold must be re-applied.
 */
export class ModbusLineCoilBus implements CoilBus {
  readonly id: string;
  readonly line: ModbusBus;
  readonly #units: Set<number> | null;
  readonly #ownsLine: boolean;
  readonly #logger: DriverLogger;
  readonly #openListeners = new Set<() => void>();
  readonly #stateListeners = new Set<(s: LinkStatus) => void>();
  readonly #offline = new Set<number>();
  readonly #seen = new Set<number>();
  readonly #detach: Array<() => void> = [];
  #failedAttempts = 0;
  #lastLinkState: LinkState;
  #since: number;
  #reported: string;

  constructor(line: ModbusBus, options: ModbusLineCoilBusOptions = {}, logger: DriverLogger = silentLogger) {
    this.line = line;
    this.id = options.id ?? `modbus-line:${line.id}`;
    this.#units = options.units ? new Set(options.units) : null;
    this.#ownsLine = options.ownsLine ?? false;
    this.#logger = logger;
    this.#lastLinkState = LINK_STATE[line.status().state];
    this.#since = Date.now();
    this.#reported = this.#fingerprint(this.status());
    const onState = (s: ModbusBusStatus) => this.#lineState(s);
    const onDevice = (c: DeviceStateChange) => this.#deviceState(c);
    line.on('state', onState);
    line.on('device-state', onDevice);
    this.#detach.push(
      () => line.off('state', onState),
      () => line.off('device-state', onDevice),
    );
  }

  /** Starts the line when this coil bus owns it; otherwise the line's owner does. */
  async open(): Promise<void> {
    if (this.#ownsLine) await this.line.start();
  }

  /** Stops listening (and stops the line when this coil bus owns it). */
  async close(): Promise<void> {
    for (const d of this.#detach.splice(0)) d();
    if (this.#ownsLine) await this.line.stop();
  }

  writeCoil(unitId: number, address: number, on: boolean): Promise<void> {
    return this.line.writeCoil(unitId, address, on, { priority: 'command' });
  }

  writeSingleCoilValue(unitId: number, address: number, value: number): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) return Promise.reject(new RangeError(`coil value ${value} is not a 16-bit word`));
    return this.line.writeCoil(unitId, address, value, { priority: 'command' });
  }

  readDiscreteInputs(unitId: number, address: number, count: number): Promise<boolean[]> {
    return this.line.readBits(unitId, 'discrete', address, count, { priority: 'poll' });
  }

  readCoils(unitId: number, address: number, count: number): Promise<boolean[]> {
    return this.line.readBits(unitId, 'coil', address, count, { priority: 'poll' });
  }

  status(): LinkStatus {
    const s = this.line.status();
    const base = { id: this.id, kind: `modbus-${this.line.config.transport.kind}`, since: this.#since, failedAttempts: this.#failedAttempts, reconnects: s.reconnects, nextAttemptAt: null };
    const state = LINK_STATE[s.state];
    if (state === 'error') {
      return { ...base, state, error: { code: s.lastError ?? MODBUS_REASONS.linkDown, message: s.lastErrorDetail ?? 'link down' } };
    }
    const boards = this.#units ?? this.#seen;
    if (state === 'open' && boards.size > 0 && [...boards].every((u) => this.#offline.has(u))) {
      const units = [...boards].sort((a, b) => a - b).join(', ');
      const text = bilingual('gate.relay.boards_offline', { units, busId: this.line.id });
      return { ...base, state: 'error', error: { code: MODBUS_REASONS.deviceOffline, message: text.en } };
    }
    return { ...base, state, error: null };
  }

  onOpen(listener: () => void): () => void {
    this.#openListeners.add(listener);
    return () => this.#openListeners.delete(listener);
  }

  onState(listener: (s: LinkStatus) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #mine(unit: number): boolean {
    return this.#units ? this.#units.has(unit) : true;
  }

  #lineState(s: ModbusBusStatus): void {
    const state = LINK_STATE[s.state];
    const reopened = state === 'open' && this.#lastLinkState !== 'open';
    if (state !== this.#lastLinkState) {
      if (state === 'error') this.#failedAttempts++;
      if (state === 'open') this.#failedAttempts = 0;
      this.#lastLinkState = state;
    }
    // A link that is gone takes every board with it; they come back with the link.
    if (state !== 'open') this.#offline.clear();
    this.#report();
    if (reopened) this.#fireOpen();
  }

  #deviceState(c: DeviceStateChange): void {
    if (!this.#mine(c.unit)) return;
    this.#seen.add(c.unit);
    const cameBack = c.state === 'online' && c.previous === 'offline';
    if (c.state === 'offline') this.#offline.add(c.unit);
    else this.#offline.delete(c.unit);
    this.#report();
    if (cameBack) this.#fireOpen();
  }

  #report(): void {
    const status = this.status();
    const fp = this.#fingerprint(status);
    if (fp === this.#reported) return;
    this.#reported = fp;
    this.#since = Date.now();
    const fresh = { ...status, since: this.#since };
    if (status.state === 'error') this.#logger.warn({ link: this.id, error: status.error }, 'relay bus down');
    for (const listener of this.#stateListeners) {
      try {
        listener(fresh);
      } catch (error) {
        this.#logger.error({ err: error, link: this.id }, 'relay bus state listener threw');
      }
    }
  }

  #fireOpen(): void {
    for (const listener of this.#openListeners) {
      try {
        listener();
      } catch (error) {
        this.#logger.error({ err: error, link: this.id }, 'relay bus open listener threw');
      }
    }
  }

  #fingerprint(s: LinkStatus): string {
    return `${s.state}|${s.error?.code ?? ''}|${s.error?.message ?? ''}`;
  }
}
