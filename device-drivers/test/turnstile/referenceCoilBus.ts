import { createRequire } from 'node:module';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';
import type { z } from 'zod';
import { parseOptions } from '../../src/serial/options.js';
import { ReconnectLoop, type Connection } from '../../src/serial/reconnectLoop.js';
import { silentLogger, type DriverLogger } from '../../src/serial/logger.js';
import type { LinkStatus } from '../../src/serial/linkStatus.js';
import { watchDevicePath } from '../../src/serial/devicePresence.js';
import type { CoilBus } from '../../src/turnstile/relayOutput.js';
import { ModbusCoilBusOptionsSchema, type ModbusCoilBusOptions } from '../../src/turnstile/relayBusOptions.js';

// modbus-serial sets module.exports to the client class while its typings declare an
// ES default export; requiring it gets the class on every loader. Required on first
// connect only: the edge runs its gates on the shared ModbusBus and never loads it.
let ModbusRTU: (new () => ModbusClient) | null = null;
const modbusSerial = (): new () => ModbusClient => (ModbusRTU ??= createRequire(import.meta.url)('modbus-serial') as new () => ModbusClient);

export class ModbusNotConnectedError extends Error {
  readonly code = 'ENOTOPEN';
  constructor(id: string) {
    super(`Modbus link ${id} is not open`);
    this.name = 'ModbusNotConnectedError';
  }
}

type Priority = 'command' | 'poll';
interface Job {
  run(client: ModbusClient): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * The tests' reference master (the edge uses ModbusLineCoilBus on the shared bus manager):
 * a Modbus master on one link, built on modbus-serial, that keeps itself connected.
 * The edge no longer uses it (its relay buses run on the shared ModbusBus through
 * ModbusLineCoilBus); it stays as an independent reference master for tests and the
 * gate-driver benchmark.
 * One request at a time (RTU has no transaction ids); gate commands go before input
 * polls, so a pulse never waits behind more than the poll already on the wire.
 */
export class ModbusSerialCoilBus implements CoilBus {
  readonly id: string;
  readonly options: z.output<typeof ModbusCoilBusOptionsSchema>;
  readonly #logger: DriverLogger;
  readonly #loop: ReconnectLoop<ModbusClient>;
  readonly #queues: Record<Priority, Job[]> = { command: [], poll: [] };
  readonly #openListeners = new Set<() => void>();
  readonly #stateListeners = new Set<(s: LinkStatus) => void>();
  /** The request on the wire; its late answer is ignored once the link it went out on is gone. */
  #inflight: Job | null = null;
  #timeouts = 0;

  constructor(options: ModbusCoilBusOptions, logger: DriverLogger = silentLogger) {
    this.options = parseOptions(ModbusCoilBusOptionsSchema, options, 'modbus');
    const l = this.options.link;
    this.id = l.kind === 'rtu' ? `modbus-rtu:${l.path}` : `modbus-${l.kind}:${l.host}:${l.port}`;
    this.#logger = logger;
    this.#loop = new ReconnectLoop<ModbusClient>({
      id: this.id,
      kind: `modbus-${l.kind}`,
      backoff: this.options.backoff,
      logger,
      connect: (hooks) => this.#connect(hooks.lost),
      onState: (status) => {
        if (status.state === 'error') logger.warn({ link: this.id, error: status.error }, 'Modbus link down');
        for (const listener of this.#stateListeners) {
          try {
            listener(status);
          } catch (error) {
            logger.error({ err: error, link: this.id }, 'Modbus state listener threw');
          }
        }
      },
      onOpen: () => {
        this.#timeouts = 0;
        for (const listener of this.#openListeners) {
          try {
            listener();
          } catch (error) {
            logger.error({ err: error, link: this.id }, 'Modbus open listener threw');
          }
        }
        this.#pump();
      },
    });
  }

  open(): void {
    this.#loop.start();
  }

  async close(): Promise<void> {
    await this.#loop.stop();
    this.#failQueued(new ModbusNotConnectedError(this.id));
  }

  status(): LinkStatus {
    return this.#loop.status;
  }

  onOpen(listener: () => void): () => void {
    this.#openListeners.add(listener);
    return () => this.#openListeners.delete(listener);
  }

  onState(listener: (s: LinkStatus) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  writeCoil(unitId: number, address: number, on: boolean): Promise<void> {
    return this.#enqueue('command', async (c) => {
      c.setID(unitId);
      await c.writeCoil(address, on);
    });
  }

  writeSingleCoilValue(unitId: number, address: number, value: number): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) return Promise.reject(new RangeError(`coil value ${value} is not a 16-bit word`));
    // modbus-serial's writeCoil only knows 0xFF00/0x0000; a raw FC05 carries the vendor value.
    return this.#enqueue('command', async (c) => {
      c.setID(unitId);
      await c.customFunction(5, [address >> 8, address & 0xff, value >> 8, value & 0xff]);
    });
  }

  readDiscreteInputs(unitId: number, address: number, count: number): Promise<boolean[]> {
    return this.#enqueue('poll', async (c) => {
      c.setID(unitId);
      return (await c.readDiscreteInputs(address, count)).data.slice(0, count);
    });
  }

  readCoils(unitId: number, address: number, count: number): Promise<boolean[]> {
    return this.#enqueue('poll', async (c) => {
      c.setID(unitId);
      return (await c.readCoils(address, count)).data.slice(0, count);
    });
  }

  #enqueue<T>(priority: Priority, run: (client: ModbusClient) => Promise<T>): Promise<T> {
    if (!this.#loop.link) return Promise.reject(new ModbusNotConnectedError(this.id));
    return new Promise<T>((resolve, reject) => {
      this.#queues[priority].push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inflight) return;
    const job = this.#queues.command.shift() ?? this.#queues.poll.shift();
    if (!job) return;
    const client = this.#loop.link;
    if (!client) {
      job.reject(new ModbusNotConnectedError(this.id));
      this.#failQueued(new ModbusNotConnectedError(this.id));
      return;
    }
    this.#inflight = job;
    job.run(client).then(
      (value) => {
        if (this.#inflight !== job) return;
        this.#inflight = null;
        this.#timeouts = 0;
        job.resolve(value);
        this.#pump();
      },
      (error: unknown) => {
        if (this.#inflight !== job) return;
        this.#inflight = null;
        job.reject(error);
        if (isTimeout(error) && ++this.#timeouts >= this.options.maxTimeouts) {
          this.#timeouts = 0;
          this.#loop.fail(Object.assign(new Error(`${this.options.maxTimeouts} requests in a row timed out`), { code: 'ETIMEDOUT' }));
        }
        this.#pump();
      },
    );
  }

  /** The link is gone: the request on the wire and everything queued fail now, not at their timeouts. */
  #failQueued(error: Error): void {
    const inflight = this.#inflight;
    this.#inflight = null;
    inflight?.reject(error);
    for (const q of [this.#queues.command, this.#queues.poll]) for (const job of q.splice(0)) job.reject(error);
  }

  async #connect(lost: (e: Error | null) => void): Promise<Connection<ModbusClient>> {
    const client = new (modbusSerial())();
    const l = this.options.link;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`connect timed out after ${this.options.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), this.options.connectTimeoutMs);
    });
    client.on('error', (e: unknown) => lost(e instanceof Error ? e : new Error(String(e))));
    try {
      const connecting =
        l.kind === 'rtu'
          ? client.connectRTUBuffered(l.path, { baudRate: l.baudRate, dataBits: l.dataBits, parity: l.parity, stopBits: l.stopBits })
          : l.kind === 'tcp'
            ? client.connectTCP(l.host, { port: l.port })
            : client.connectTelnet(l.host, { port: l.port });
      await Promise.race([connecting, timeout]);
    } catch (error) {
      destroyClient(client);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    client.setTimeout(this.options.timeoutMs);
    let closing = false;
    client.on('close', () => {
      if (closing) return;
      this.#failQueued(new ModbusNotConnectedError(this.id));
      lost(null);
    });
    const unwatch = l.kind === 'rtu' && this.options.presenceCheckMs > 0 ? await watchDevicePath(l.path, this.options.presenceCheckMs, (gone) => lost(gone)) : null;
    this.#logger.debug({ link: this.id }, 'Modbus link open');
    return {
      link: client,
      destroy: () => {
        closing = true;
        unwatch?.();
        return closeClient(client);
      },
    };
  }
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; errno?: string; code?: string } | null;
  return e?.name === 'TransactionTimedOutError' || e?.errno === 'ETIMEDOUT' || e?.code === 'ETIMEDOUT';
}

function destroyClient(client: ModbusClient): void {
  try {
    client.destroy(() => {});
  } catch {
    // already gone
  }
}

function closeClient(client: ModbusClient): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    const guard = setTimeout(done, 1000);
    try {
      client.close(() => {
        clearTimeout(guard);
        done();
      });
    } catch {
      clearTimeout(guard);
      done();
    }
  });
}
