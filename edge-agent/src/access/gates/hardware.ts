import type { Direction } from '@campus/protocol/access/index';
import { createQrReader, type QrBadFrame, type QrReader, type QrScan } from '@campus/device-drivers/qr/index';
import type { DriverLogger, LinkStatus } from '@campus/device-drivers/serial/index';
import {
  FireAlarm,
  InputWatcher,
  ModbusLineCoilBus,
  ModbusRelayBoard,
  Turnstile,
  attachPassSensor,
  relayBusLine,
  relayLinkId,
  type FireAlarmReport,
  type GateOpening,
  type OpeningRef,
  type Passage,
} from '@campus/device-drivers/turnstile/index';
import { edgeModbusLines, type LineLease, type ModbusLines } from '../../modbus-lines/index.js';
import type { AccessConfig, ReaderConfig } from '../config.js';

export interface HardwareHooks {
  scan(reader: ReaderConfig, scan: QrScan): void;
  badFrame(reader: ReaderConfig, frame: QrBadFrame): void;
  /** A reader or relay bus changed link state. */
  linkState(device: { id: string; kind: 'reader' | 'relay-bus'; gate: string | null }, status: LinkStatus): void;
  passage(passage: Passage): void;
  fireAlarm(report: FireAlarmReport): void;
  /** The fire panel's contact changed (level, read every poll). */
  firePanel(active: boolean): void;
}

/**
 * The gate hardware of one edge, built from config with the device drivers: QR readers
 * on serial paths or TCP serial servers, Modbus relay buses and boards, turnstiles on
 * relay channels, pass sensors and the fire panel contact on board inputs. Owns their
 * lifecycle; the access service owns the decisions.
 *
 * Relay buses take their Modbus line from the edge's line registry, so a relay board
 * may share an RS-485 pair with energy meters: one master, gate commands first.
 */
export class GateHardware {
  readonly #readers = new Map<string, { config: ReaderConfig; reader: QrReader }>();
  readonly #buses = new Map<string, ModbusLineCoilBus>();
  readonly #leases: LineLease[] = [];
  readonly #boards = new Map<string, ModbusRelayBoard>();
  readonly #turnstiles = new Map<string, Turnstile>();
  readonly #watchers: InputWatcher[] = [];
  readonly #detach: Array<() => void> = [];
  #fireAlarm: FireAlarm | null = null;
  #fireTimer: (() => void) | null = null;

  constructor(
    private readonly config: AccessConfig,
    private readonly logger: DriverLogger,
    private readonly hooks: HardwareHooks,
    /** Timers (the edge's time service). */
    private readonly every: (ms: number, fn: () => void) => () => void,
    private readonly lines: ModbusLines = edgeModbusLines,
  ) {}

  start(): void {
    const c = this.config;
    try {
      c.relayBuses.forEach((b, i) => {
        const { id, ...options } = b;
        const line = relayBusLine(options);
        const units = [...new Set(c.relayBoards.filter((board) => board.bus === id).map((board) => board.unitId))];
        // A line that conflicts with one already open is a config error: it throws with both keys named.
        const lease = this.lines.acquire({ key: `access.relayBuses[${i}]`, bus: { id, ...line.bus }, units: units.map((unit) => ({ unit, policy: line.board })) }, { logger: this.logger });
        this.#leases.push(lease);
        const bus = new ModbusLineCoilBus(lease.bus, { id: relayLinkId(options.link), units }, this.logger);
        this.#detach.push(bus.onState((s) => this.hooks.linkState({ id, kind: 'relay-bus', gate: null }, s)));
        this.#buses.set(id, bus);
      });
    } catch (error) {
      // Nothing half-acquired stays open when a later relay bus is refused.
      for (const lease of this.#leases.splice(0)) void lease.release();
      this.#buses.clear();
      throw error;
    }
    for (const b of c.relayBoards) {
      const { bus, ...options } = b;
      const board = new ModbusRelayBoard(this.#buses.get(bus)!, options, this.logger);
      board.start();
      this.#boards.set(b.id, board);
    }
    const inputsByBoard = new Map<string, { channels: number[]; pollMs: number }>();
    const needInput = (board: string, channel: number, pollMs: number) => {
      const entry = inputsByBoard.get(board) ?? { channels: [], pollMs };
      entry.channels.push(channel);
      entry.pollMs = Math.min(entry.pollMs, pollMs);
      inputsByBoard.set(board, entry);
    };
    for (const g of c.gates) {
      const t = g.turnstile;
      if (!t) continue;
      const turnstile = new Turnstile(
        this.#boards.get(t.board)!,
        { id: g.id, channels: { in: t.in, out: t.out }, pulseMs: t.pulseMs, passFeedback: t.passSensor ? { windowMs: t.passSensor.windowMs } : undefined },
        this.logger,
      );
      turnstile.on('passage', (p) => this.hooks.passage(p));
      this.#turnstiles.set(g.id, turnstile);
      const s = t.passSensor;
      if (s) for (const ch of [s.in, s.out]) if (ch !== undefined) needInput(s.board ?? t.board, ch, s.pollMs);
    }
    const fire = c.fireAlarm.input;
    if (fire) needInput(fire.board, fire.input, fire.pollMs);
    const watchers = new Map<string, InputWatcher>();
    for (const [boardId, need] of inputsByBoard) {
      const first = Math.min(...need.channels);
      const count = Math.max(...need.channels) - first + 1;
      const watcher = new InputWatcher(this.#boards.get(boardId)!, { first, count, pollMs: need.pollMs }, this.logger);
      watchers.set(boardId, watcher);
      this.#watchers.push(watcher);
    }
    for (const g of c.gates) {
      const s = g.turnstile?.passSensor;
      if (!s) continue;
      const watcher = watchers.get(s.board ?? g.turnstile!.board)!;
      this.#detach.push(attachPassSensor(this.#turnstiles.get(g.id)!, watcher, { in: s.in, out: s.out, edge: s.edge }));
    }
    this.#fireAlarm = new FireAlarm([...this.#turnstiles.values()], { retryMs: c.fireAlarm.retryMs }, this.logger);
    this.#fireAlarm.on('change', (r) => this.hooks.fireAlarm(r));
    if (fire) {
      const watcher = watchers.get(fire.board)!;
      const index = fire.input - watcher.options.first;
      let last: boolean | null = null;
      // Level, not edge: a fire panel already in alarm when the edge boots must still open the gates.
      this.#fireTimer = this.every(fire.pollMs, () => {
        const v = watcher.current()?.[index];
        if (v === undefined) return;
        const active = fire.activeWhen === 'closed' ? v : !v;
        if (active !== last) {
          last = active;
          this.hooks.firePanel(active);
        }
      });
    }
    for (const r of c.readers) {
      const { gate: _gate, direction: _direction, ...readerConfig } = r;
      const reader = createQrReader(readerConfig, this.logger);
      reader.on('scan', (s) => this.hooks.scan(r, s));
      reader.on('bad-frame', (f) => this.hooks.badFrame(r, f));
      reader.on('state', (s) => this.hooks.linkState({ id: r.id, kind: 'reader', gate: r.gate }, s));
      this.#readers.set(r.id, { config: r, reader });
    }
    for (const lease of this.#leases) void lease.start();
    for (const w of this.#watchers) w.start();
    for (const { reader } of this.#readers.values()) reader.open();
  }

  async stop(): Promise<void> {
    this.#fireTimer?.();
    this.#fireTimer = null;
    this.#fireAlarm?.dispose();
    for (const d of this.#detach.splice(0)) d();
    for (const w of this.#watchers) w.stop();
    for (const t of this.#turnstiles.values()) t.dispose();
    await Promise.all([...this.#readers.values()].map(({ reader }) => reader.close().catch(() => undefined)));
    for (const b of this.#boards.values()) b.stop();
    await Promise.all([...this.#buses.values()].map((b) => b.close().catch(() => undefined)));
    this.#buses.clear();
    await Promise.all(this.#leases.splice(0).map((l) => l.release().catch(() => undefined)));
  }

  hasTurnstile(gateId: string): boolean {
    return this.#turnstiles.has(gateId);
  }

  /**
   * Pulses the gate's relay. The Modbus write is issued before this returns (the
   * promise settles when the board has answered); null when the gate has no turnstile.
   */
  open(gateId: string, direction: Direction, ref: OpeningRef): Promise<GateOpening> | null {
    return this.#turnstiles.get(gateId)?.open(direction, ref) ?? null;
  }

  feedback(readerId: string, kind: 'granted' | 'denied'): void {
    void this.#readers.get(readerId)?.reader.feedback(kind);
  }

  /** Null until started. */
  get fireAlarm(): FireAlarm | null {
    return this.#fireAlarm;
  }

  readers(): Array<{ config: ReaderConfig; reader: QrReader }> {
    return [...this.#readers.values()];
  }

  turnstile(gateId: string): Turnstile | undefined {
    return this.#turnstiles.get(gateId);
  }

  boards(): ModbusRelayBoard[] {
    return [...this.#boards.values()];
  }
}
