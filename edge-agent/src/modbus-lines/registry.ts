import { ModbusBus, ModbusBusConfigSchema, type BusLogger, type ModbusBusConfig } from '@campus/device-drivers/modbus/index';
import { conflictWith, type LineClaim, type LineUse } from './conflicts.js';
import { lineKeyOf, lineLabelOf } from './line-key.js';

interface Line extends LineUse {
  key: string;
  bus: ModbusBus;
  leases: Set<LineLease>;
}

/** One config entry's hold on a line. The line closes when its last lease is released. */
export class LineLease {
  #released = false;
  constructor(
    readonly claim: LineClaim,
    /** The claim's own bus config, parsed (the line may run on its first user's). */
    readonly config: ModbusBusConfig,
    readonly bus: ModbusBus,
    private readonly line: Line,
    private readonly onRelease: (lease: LineLease) => Promise<void>,
  ) {}

  /** Other config entries on the same line (their keys). */
  get sharedWith(): string[] {
    return [...this.line.leases].filter((l) => l !== this).map((l) => l.claim.key);
  }

  /** Opens the line if nobody has yet; resolves after the first attempt, like ModbusBus.start(). */
  start(): Promise<void> {
    return this.bus.start();
  }

  release(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#released = true;
    return this.onRelease(this);
  }
}

/**
 * The edge's Modbus lines, one master each: every config entry that names a
 * line (a serial device, a TCP endpoint) gets the same ModbusBus, so gate relay
 * boards and meters can share an RS-485 pair without two masters fighting over
 * it. A second entry that disagrees about the line (baud, parity, framing) or
 * about a unit address is refused with a ModbusLineConflict naming both keys.
 *
 * The line's ModbusBus carries the id of the entry that opened it and its
 * bus-level settings; each entry's timeouts, retries and back-off apply to its
 * own units (ModbusBus.configureDevice).
 */
export class ModbusLines {
  readonly #lines = new Map<string, Line>();

  constructor(private readonly defaults: { now?: () => number; logger?: BusLogger } = {}) {}

  /** Throws ZodError for a bus config that does not parse and ModbusLineConflict for a disagreement. */
  acquire(claim: LineClaim, options: { now?: () => number; logger?: BusLogger } = {}): LineLease {
    const config = ModbusBusConfigSchema.parse(claim.bus);
    const key = lineKeyOf(config.transport);
    let line = this.#lines.get(key);
    if (line) {
      const conflict = conflictWith(line, claim, config);
      if (conflict) throw conflict;
    } else {
      const bus = new ModbusBus(config, { now: options.now ?? this.defaults.now, logger: options.logger ?? this.defaults.logger });
      line = { key, link: lineLabelOf(config.transport), config, firstKey: claim.key, units: new Map(), bus, leases: new Set() };
      this.#lines.set(key, line);
    }
    for (const { unit, policy } of claim.units) {
      line.units.set(unit, claim.key);
      line.bus.configureDevice(unit, policy ?? policyOf(config));
    }
    const lease = new LineLease(claim, config, line.bus, line, (l) => this.#release(line, l));
    line.leases.add(lease);
    return lease;
  }

  /** The open lines and who uses them, for diagnostics. */
  lines(): Array<{ link: string; busId: string; users: string[] }> {
    return [...this.#lines.values()].map((l) => ({ link: l.link, busId: l.bus.id, users: [...l.leases].map((x) => x.claim.key) }));
  }

  async #release(line: Line, lease: LineLease): Promise<void> {
    line.leases.delete(lease);
    for (const [unit, holder] of line.units) if (holder === lease.claim.key) line.units.delete(unit);
    if (line.leases.size > 0) return;
    if (this.#lines.get(line.key) === line) this.#lines.delete(line.key);
    await line.bus.stop();
  }
}

function policyOf(c: ModbusBusConfig) {
  return { timeoutMs: c.timeoutMs, retries: c.retries, offlineAfterFailures: c.offlineAfterFailures, offlineProbeIntervalMs: c.offlineProbeIntervalMs };
}
