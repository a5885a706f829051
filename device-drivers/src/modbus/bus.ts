import { EventEmitter } from 'node:events';
import type { ModbusBusState, ModbusBusStatus, ModbusDeviceState, ModbusDeviceStats } from '@campus/protocol/energy/index';
import { MODBUS_REASONS } from '@campus/protocol/energy/index';
import {
  ModbusBusConfigSchema,
  ModbusDevicePolicySchema,
  defaultInterFrameDelayMs,
  lineFormatOf,
  type ModbusBusConfig,
  type ModbusBusConfigInput,
  type ModbusDevicePolicy,
  type ModbusDevicePolicyInput,
} from './config.js';
import { DeviceHealth, type Priority, type StateChange } from './device-health.js';
import { ModbusError } from './errors.js';
import { rtuFraming, tcpFraming, type FailedReply, type Framing, type ReplyExpectation } from './framing.js';
import type { ByteLink } from './link.js';
import {
  MalformedReply,
  ModbusExceptionReply,
  decodeResponse,
  encodeRequest,
  functionCodeOf,
  isWrite,
  responsePduLength,
  type ModbusRequest,
  type ModbusResult,
  type RegisterTable,
} from './pdu.js';
import { createByteLink } from './transport.js';
import { wireTimeMs } from './wire-time.js';

export interface DeviceStateChange {
  busId: string;
  unit: number;
  state: ModbusDeviceState;
  previous: ModbusDeviceState;
  /** Reason code: modbus.device_offline / modbus.device_online. */
  reason: string;
  at: number;
}

/** One request on the wire, for tracing and benchmarks. */
export interface TransactionTrace {
  phase: 'start' | 'end';
  /** Increments for every frame put on the wire (retries included). */
  seq: number;
  unit: number;
  functionCode: number;
  priority: Priority;
  attempt: number;
  at: number;
  /** On 'end': "ok", "exception" or the failure kind. */
  outcome?: string;
}

export interface ModbusBusEvents {
  state: [ModbusBusStatus];
  'device-stats': [ModbusDeviceStats];
  'device-state': [DeviceStateChange];
  transaction: [TransactionTrace];
}

export interface BusLogger {
  warn(obj: object, msg: string): void;
}

export interface ModbusBusOptions {
  /** Use this byte link instead of one built from config.transport. */
  link?: ByteLink;
  /** Wall clock for timestamps (lastGoodReadAt, probes). */
  now?: () => number;
  logger?: BusLogger;
}

export interface RequestOptions {
  /** Default: 'command' for writes, 'poll' for reads. Read-backs after a switch use 'command'. */
  priority?: Priority;
}

interface Job {
  unit: number;
  request: ModbusRequest;
  pdu: Buffer;
  priority: Priority;
  resolve: (r: ModbusResult) => void;
  reject: (e: ModbusError) => void;
}

type AttemptOutcome =
  | { ok: true; pdu: Buffer }
  | { ok: false; failure: FailedReply; desync?: boolean }
  | { ok: false; linkLost: true; detail: string };

interface Waiting {
  expect: ReplyExpectation;
  buf: Buffer;
  timer: NodeJS.Timeout | null;
  silence: NodeJS.Timeout | null;
  done: (o: AttemptOutcome) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One physical Modbus bus: one serialized queue, never two requests in flight.
 *
 * - Commands (writes, read-backs) jump ahead of polls; FIFO within a priority.
 * - Timeouts, CRC and frame errors are retried; exception replies are not.
 * - A device that stops answering is backed off (see DeviceHealth) and never stalls the rest.
 * - The link reconnects by itself after a cable pull, a USB adapter reset or a TCP drop.
 * - Per-device counters are emitted as 'device-stats' after every transaction.
 */
export class ModbusBus extends EventEmitter<ModbusBusEvents> {
  readonly id: string;
  readonly config: ModbusBusConfig;
  private readonly link: ByteLink;
  private readonly framing: Framing;
  private readonly now: () => number;
  private readonly logger: BusLogger | undefined;
  private readonly gapMs: number;
  private readonly silenceMs: number;

  private readonly commands: Job[] = [];
  private readonly polls: Job[] = [];
  private readonly health = new Map<number, DeviceHealth>();
  private readonly policies = new Map<number, ModbusDevicePolicy>();
  private waiting: Waiting | null = null;
  private running = false;
  private pumping = false;
  private lastActivityAt = 0;
  private txId = 0;
  private seq = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private everOpened = false;
  private linkStatus: ModbusBusStatus;

  constructor(config: ModbusBusConfigInput, options: ModbusBusOptions = {}) {
    super();
    this.config = ModbusBusConfigSchema.parse(config);
    this.id = this.config.id;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    const t = this.config.transport;
    this.framing = t.kind === 'tcp' ? tcpFraming : rtuFraming;
    this.link = options.link ?? createByteLink(t);
    this.gapMs = this.config.interFrameDelayMs ?? defaultInterFrameDelayMs(t);
    const line = lineFormatOf(t);
    // USB adapters hand over bytes in chunks up to ~16 ms apart; a damaged reply
    // is only judged after the line has been quiet a little longer than that.
    this.silenceMs = Math.max(20, line ? 2 * wireTimeMs(3.5, line) : 0);
    this.linkStatus = {
      busId: this.id,
      state: 'stopped',
      since: this.now(),
      lastError: null,
      lastErrorDetail: null,
      reconnects: 0,
      strayBytes: 0,
      queued: 0,
    };
    this.link.on('data', (chunk: Buffer) => this.onData(chunk));
    this.link.on('close', (err?: Error) => this.onLinkClosed(err));
  }

  /** Opens the link; resolves after the first attempt (open or not), never rejects. Reconnects on its own. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    return this.connect();
  }

  /** Fails everything queued with modbus.bus_stopped and closes the link. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.failQueued('bus_stopped');
    this.finishWaiting({ ok: false, linkLost: true, detail: 'bus stopped' });
    await this.link.close().catch(() => undefined);
    this.setState('stopped', null, null);
  }

  /**
   * Gives one unit its own timeout, retries and offline back-off (fields left out
   * keep the bus's). For lines shared by devices with different needs, such as a
   * gate relay board among meters.
   */
  configureDevice(unit: number, policy: ModbusDevicePolicyInput): ModbusDevicePolicy {
    const own = ModbusDevicePolicySchema.parse(policy);
    const c = this.config;
    const merged: ModbusDevicePolicy = {
      timeoutMs: own.timeoutMs ?? c.timeoutMs,
      retries: own.retries ?? c.retries,
      offlineAfterFailures: own.offlineAfterFailures ?? c.offlineAfterFailures,
      offlineProbeIntervalMs: own.offlineProbeIntervalMs ?? c.offlineProbeIntervalMs,
    };
    this.policies.set(unit, merged);
    this.health.get(unit)?.setPolicy(merged);
    return merged;
  }

  /** The policy a unit is served with: its own, or the bus's. */
  policyOf(unit: number): ModbusDevicePolicy {
    return this.policies.get(unit) ?? this.config;
  }

  status(): ModbusBusStatus {
    return { ...this.linkStatus, queued: this.commands.length + this.polls.length };
  }

  deviceStats(): ModbusDeviceStats[] {
    return [...this.health.values()].map((h) => h.snapshot()).sort((a, b) => a.unit - b.unit);
  }

  deviceStatsOf(unit: number): ModbusDeviceStats | undefined {
    return this.health.get(unit)?.snapshot();
  }

  /** Queues one request; resolves with its result or rejects with a ModbusError. */
  execute(unit: number, request: ModbusRequest, options: RequestOptions = {}): Promise<ModbusResult> {
    const maxUnit = this.config.transport.kind === 'tcp' ? 255 : 247;
    if (!Number.isInteger(unit) || unit < 1 || unit > maxUnit) return Promise.reject(new RangeError(`unit must be 1..${maxUnit}, got ${unit}`));
    let pdu: Buffer;
    try {
      pdu = encodeRequest(request);
    } catch (e) {
      return Promise.reject(e);
    }
    const priority = options.priority ?? (isWrite(request) ? 'command' : 'poll');
    return new Promise<ModbusResult>((resolve, reject) => {
      const job: Job = { unit, request, pdu, priority, resolve, reject };
      if (!this.running) return reject(new ModbusError('bus_stopped', this.id, unit));
      if (this.linkStatus.state === 'down') return reject(this.linkDownError(unit));
      (priority === 'command' ? this.commands : this.polls).push(job);
      void this.pump();
    });
  }

  async readRegisters(unit: number, table: 'holding' | 'input', address: number, count: number, options?: RequestOptions): Promise<Uint16Array> {
    const r = await this.execute(unit, { kind: 'read', table, address, count }, options);
    if (r.kind !== 'registers') throw new Error('unexpected result kind');
    return r.values;
  }

  async readBits(unit: number, table: 'coil' | 'discrete', address: number, count: number, options?: RequestOptions): Promise<boolean[]> {
    const r = await this.execute(unit, { kind: 'read', table, address, count }, options);
    if (r.kind !== 'bits') throw new Error('unexpected result kind');
    return r.values;
  }

  async read(unit: number, table: RegisterTable, address: number, count: number, options?: RequestOptions): Promise<Uint16Array | boolean[]> {
    const r = await this.execute(unit, { kind: 'read', table, address, count }, options);
    if (r.kind === 'written') throw new Error('unexpected result kind');
    return r.values;
  }

  /** `value`: true/false for on/off, or a raw 16-bit word for vendor commands. */
  async writeCoil(unit: number, address: number, value: boolean | number, options?: RequestOptions): Promise<void> {
    const raw = typeof value === 'boolean' ? (value ? 0xff00 : 0x0000) : value;
    await this.execute(unit, { kind: 'write-coil', address, value: raw }, options);
  }

  async writeRegister(unit: number, address: number, value: number, options?: RequestOptions): Promise<void> {
    await this.execute(unit, { kind: 'write-register', address, value }, options);
  }

  async writeCoils(unit: number, address: number, values: readonly boolean[], options?: RequestOptions): Promise<void> {
    await this.execute(unit, { kind: 'write-coils', address, values }, options);
  }

  async writeRegisters(unit: number, address: number, values: readonly number[], options?: RequestOptions): Promise<void> {
    await this.execute(unit, { kind: 'write-registers', address, values }, options);
  }

  // ---- queue -------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running && this.linkStatus.state === 'open') {
        const job = this.commands.shift() ?? this.polls.shift();
        if (!job) break;
        await this.run(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async run(job: Job): Promise<void> {
    const health = this.healthOf(job.unit);
    const admission = health.admit(this.now(), job.priority);
    if (admission === 'skip') {
      health.skipped();
      const wait = Math.max(0, (health.stats.nextProbeAt ?? 0) - this.now());
      job.reject(new ModbusError('device_offline', this.id, job.unit, { probeInSeconds: Math.ceil(wait / 1000) }));
      return;
    }
    const wasProbe = admission === 'probe';
    if (wasProbe) health.probeSent(this.now());
    const attempts = wasProbe ? 1 : 1 + this.policyOf(job.unit).retries;
    let lastFailure: ModbusError | null = null;
    let silent = true;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (!this.running || this.linkStatus.state !== 'open') {
        job.reject(this.running ? this.linkDownError(job.unit) : new ModbusError('bus_stopped', this.id, job.unit));
        return;
      }
      const outcome = await this.attempt(job, attempt, health);
      if ('linkLost' in outcome) {
        job.reject(this.running ? this.linkDownError(job.unit, outcome.detail) : new ModbusError('bus_stopped', this.id, job.unit));
        return;
      }
      if (outcome.ok) {
        const settled = this.settle(job, outcome.pdu, health);
        if (settled) return;
        lastFailure = new ModbusError('frame_error', this.id, job.unit, { detail: 'reply does not match the request' });
        silent = false;
        continue;
      }
      const f = outcome.failure;
      if (f.kind !== 'timeout') silent = false;
      const timeoutMs = this.timeoutFor(job);
      lastFailure = new ModbusError(f.kind, this.id, job.unit, { detail: f.detail, timeoutMs: Math.round(timeoutMs) });
      health.attemptFailed(f.kind, this.now(), lastFailure.reason);
      if (outcome.desync) {
        // A TCP byte stream that lost its framing cannot be trusted again: start a fresh connection.
        await this.link.close().catch(() => undefined);
      }
    }
    this.deviceChange(job.unit, health.transactionFailed(this.now(), wasProbe, silent));
    this.emitStats(health);
    job.reject(lastFailure ?? new ModbusError('timeout', this.id, job.unit));
  }

  /** Decodes a reply; returns false when it is malformed (counted, retried). */
  private settle(job: Job, pdu: Buffer, health: DeviceHealth): boolean {
    try {
      const result = decodeResponse(job.request, pdu);
      this.deviceChange(job.unit, health.answered(this.now()));
      this.emitStats(health);
      job.resolve(result);
      return true;
    } catch (e) {
      if (e instanceof ModbusExceptionReply) {
        const err = new ModbusError('exception', this.id, job.unit, {}, e.exceptionCode);
        if (err.deviceAnswered) {
          this.deviceChange(job.unit, health.answered(this.now(), e.exceptionCode, err.reason));
        } else {
          health.gatewayException(e.exceptionCode, this.now(), err.reason);
          this.deviceChange(job.unit, health.transactionFailed(this.now(), false));
        }
        this.emitStats(health);
        job.reject(err);
        return true;
      }
      const detail = e instanceof MalformedReply ? e.detail : String(e);
      health.attemptFailed('frame_error', this.now(), MODBUS_REASONS.frameError);
      this.logger?.warn({ busId: this.id, unit: job.unit, detail }, 'modbus: malformed reply');
      return false;
    }
  }

  private async attempt(job: Job, attempt: number, health: DeviceHealth): Promise<AttemptOutcome> {
    const wait = this.lastActivityAt + this.gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    if (!this.running || this.linkStatus.state !== 'open') return { ok: false, linkLost: true, detail: 'link closed' };
    const txId = (this.txId = (this.txId + 1) & 0xffff);
    const functionCode = functionCodeOf(job.request);
    const expect: ReplyExpectation = { unit: job.unit, functionCode, pduLength: responsePduLength(job.request), txId };
    const adu = this.framing.encode(job.unit, job.pdu, txId);
    const seq = ++this.seq;
    health.requestSent(attempt > 0);
    this.trace({ phase: 'start', seq, unit: job.unit, functionCode, priority: job.priority, attempt, at: this.now() });
    const outcome = await new Promise<AttemptOutcome>((resolve) => {
      this.waiting = { expect, buf: Buffer.alloc(0), timer: null, silence: null, done: resolve };
      this.link.write(adu).then(
        () => {
          const w = this.waiting;
          if (w && w.expect === expect && !w.timer) {
            w.timer = setTimeout(() => this.finishWaiting({ ok: false, failure: this.framing.classify(w.buf, expect) }), this.timeoutFor(job));
          }
        },
        (e: Error) => this.finishWaiting({ ok: false, linkLost: true, detail: e.message }),
      );
    });
    const result = outcome.ok ? 'ok' : 'linkLost' in outcome ? 'link_down' : outcome.failure.kind;
    this.trace({ phase: 'end', seq, unit: job.unit, functionCode, priority: job.priority, attempt, at: this.now(), outcome: result });
    return outcome;
  }

  private timeoutFor(job: Job): number {
    const { timeoutMs } = this.policyOf(job.unit);
    const line = lineFormatOf(this.config.transport);
    if (!line) return timeoutMs;
    const bytes = 1 + job.pdu.length + 2 + 1 + responsePduLength(job.request) + 2;
    return timeoutMs + wireTimeMs(bytes, line);
  }

  private onData(chunk: Buffer): void {
    const w = this.waiting;
    if (!w) {
      this.linkStatus.strayBytes += chunk.length;
      return;
    }
    w.buf = w.buf.length ? Buffer.concat([w.buf, chunk]) : chunk;
    const scan = this.framing.scan(w.buf, w.expect);
    if (scan.status === 'complete') {
      // Noise before and after the reply is not the device's fault; it is bus-level stray.
      this.linkStatus.strayBytes += scan.leading + scan.trailing;
      this.finishWaiting({ ok: true, pdu: Buffer.from(scan.pdu) });
    } else if (scan.status === 'desync') {
      this.finishWaiting({ ok: false, failure: { kind: 'frame_error', detail: scan.detail }, desync: true });
    } else if (scan.settled) {
      if (w.silence) clearTimeout(w.silence);
      w.silence = setTimeout(() => this.finishWaiting({ ok: false, failure: this.framing.classify(w.buf, w.expect) }), this.silenceMs);
    }
  }

  private finishWaiting(outcome: AttemptOutcome): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = null;
    if (w.timer) clearTimeout(w.timer);
    if (w.silence) clearTimeout(w.silence);
    this.lastActivityAt = performance.now();
    w.done(outcome);
  }

  private failQueued(kind: 'bus_stopped' | 'link_down'): void {
    const jobs = [...this.commands.splice(0), ...this.polls.splice(0)];
    for (const j of jobs) j.reject(kind === 'link_down' ? this.linkDownError(j.unit) : new ModbusError('bus_stopped', this.id, j.unit));
  }

  private linkDownError(unit: number, detail?: string): ModbusError {
    return new ModbusError('link_down', this.id, unit, { detail: detail ?? this.linkStatus.lastErrorDetail ?? this.link.description });
  }

  // ---- link --------------------------------------------------------------

  private async connect(): Promise<void> {
    this.reconnectTimer = null;
    if (!this.running) return;
    this.setState('connecting', this.linkStatus.lastError, this.linkStatus.lastErrorDetail);
    try {
      await this.link.open();
    } catch (e) {
      if (!this.running) return;
      this.setState('down', MODBUS_REASONS.linkDown, (e as Error).message);
      this.failQueued('link_down');
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      await this.link.close().catch(() => undefined);
      return;
    }
    if (this.everOpened) this.linkStatus.reconnects++;
    this.everOpened = true;
    this.reconnectAttempts = 0;
    this.lastActivityAt = performance.now();
    this.setState('open', this.linkStatus.lastError, this.linkStatus.lastErrorDetail);
    void this.pump();
  }

  private onLinkClosed(err?: Error): void {
    this.finishWaiting({ ok: false, linkLost: true, detail: err?.message ?? 'link closed' });
    if (!this.running) return;
    this.setState('down', MODBUS_REASONS.linkDown, err?.message ?? 'link closed');
    this.failQueued('link_down');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    const { minDelayMs, maxDelayMs } = this.config.reconnect;
    const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(this.reconnectAttempts, 16));
    this.reconnectAttempts++;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private setState(state: ModbusBusState, lastError: string | null, detail: string | null): void {
    const s = this.linkStatus;
    if (s.state === state && s.lastError === lastError && s.lastErrorDetail === detail) return;
    if (s.state !== state) s.since = this.now();
    s.state = state;
    s.lastError = lastError;
    s.lastErrorDetail = detail;
    this.safeEmit('state', this.status());
  }

  // ---- devices -----------------------------------------------------------

  private healthOf(unit: number): DeviceHealth {
    let h = this.health.get(unit);
    if (!h) {
      h = new DeviceHealth(this.id, unit, this.policyOf(unit));
      this.health.set(unit, h);
    }
    return h;
  }

  private deviceChange(unit: number, change: StateChange | null): void {
    if (!change) return;
    const reason = change.state === 'offline' ? MODBUS_REASONS.deviceOffline : MODBUS_REASONS.deviceOnline;
    this.safeEmit('device-state', { busId: this.id, unit, state: change.state, previous: change.previous, reason, at: this.now() });
  }

  private emitStats(health: DeviceHealth): void {
    if (this.listenerCount('device-stats') > 0) this.safeEmit('device-stats', health.snapshot());
  }

  private trace(t: TransactionTrace): void {
    if (this.listenerCount('transaction') > 0) this.safeEmit('transaction', t);
  }

  /** A listener that throws must not break the queue of a whole bus. */
  private safeEmit<K extends keyof ModbusBusEvents>(event: K, ...args: ModbusBusEvents[K]): void {
    for (const listener of this.rawListeners(event)) {
      try {
        (listener as (...a: ModbusBusEvents[K]) => void)(...args);
      } catch (e) {
        this.logger?.warn({ busId: this.id, event, err: e }, 'modbus: listener threw');
      }
    }
  }
}
