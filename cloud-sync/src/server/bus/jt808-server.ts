import { createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Jt808Session, type Jt808ErrorCode, type TerminalRecord } from '@campus/protocol/bus/jt808/index';
import type { Database } from '../db/database.js';
import type { CloudLogger } from '../logger.js';
import { normalizePhone } from './record-routes.js';
import type { BusPosition, PositionStore } from './positions.js';

/** A registered terminal: its vehicle (school, record key, plate) and the code it authenticates with. */
export interface Jt808Terminal extends TerminalRecord {
  schoolId: string;
  vehicleId: string;
}

/**
 * Terminals the platform knows: every active bus_vehicle with a terminalPhone, across all
 * schools (a terminal is found by its number alone). The authentication code is derived
 * from a secret kept in the database, the school, the vehicle and the number: the same
 * on every cloud process and restart, and a new one when the number moves to another bus.
 */
export class TerminalRegistry {
  #byPhone = new Map<string, Omit<Jt808Terminal, 'phone'>>();
  #secret: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly db: Database,
    private readonly refreshMs = 10_000,
  ) {}

  async start(): Promise<void> {
    await this.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', ['jt808_secret', JSON.stringify(randomBytes(24).toString('base64url'))]);
    this.#secret = (await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', ['jt808_secret'])).rows[0]!.value;
    await this.reload();
    this.#timer = setInterval(() => void this.reload().catch(() => undefined), this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Reloads from the records (after a console write, and every refreshMs for other processes' writes). */
  reload(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = (async () => {
      do {
        this.#again = false;
        const r = await this.db.query<{ school_id: string; key: string; data: { plate: string; terminalPhone: string; active?: boolean } }>(
          `SELECT school_id, key, data FROM records WHERE kind = 'bus_vehicle' AND NOT deleted AND data ? 'terminalPhone'`,
        );
        const next = new Map<string, Omit<Jt808Terminal, 'phone'>>();
        for (const x of r.rows) {
          if (x.data.active === false) continue;
          const phone = normalizePhone(x.data.terminalPhone);
          next.set(phone, { schoolId: x.school_id, vehicleId: x.key, plate: x.data.plate, authCode: this.authCode(x.school_id, x.key, phone) });
        }
        this.#byPhone = next;
      } while (this.#again);
    })().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  authCode(schoolId: string, vehicleId: string, phone: string): string {
    return createHmac('sha256', this.#secret ?? '').update(`${schoolId}\n${vehicleId}\n${normalizePhone(phone)}`).digest('base64url').slice(0, 16);
  }

  /** By the header's BCD number (12 or 20 digits, zero-padded). */
  lookup(phone: string): Jt808Terminal | undefined {
    const t = this.#byPhone.get(normalizePhone(phone));
    return t ? { ...t, phone } : undefined;
  }

  get size(): number {
    return this.#byPhone.size;
  }
}

export interface Jt808ServerOptions {
  port?: number;
  host?: string;
  /** Frames accepted per second from one connection (default 100); the rest are dropped and counted. */
  maxFramesPerSecond?: number;
  /** A connection that has not authenticated within this time is closed (default 60 s). */
  authTimeoutMs?: number;
  /** A connection silent this long is closed (default 3 × a 60 s heartbeat). */
  idleTimeoutMs?: number;
  maxConnections?: number;
  now?: () => number;
  logger?: CloudLogger;
}

export interface Jt808Stats {
  connections: number;
  accepted: number;
  frames: number;
  locations: number;
  /** Refused frames by reason code (bad XOR, unknown id, not authenticated, flood, …). */
  refused: Partial<Record<Jt808ErrorCode | 'jt808.internal', number>>;
  /** Connections closed by the server: never authenticated in time, idle, internal error. */
  closed: { authTimeout: number; idle: number; internal: number };
}

/**
 * The cloud's JT/T 808 platform over TCP: a terminal registers (0x0100 → 0x8100 with its
 * authentication code), authenticates (0x0102), sends heartbeats, locations (0x0200) and
 * blind-area batches (0x0704). Each connection is a protocol Jt808Session; positions go
 * to the position store under the vehicle whose bus_vehicle.terminalPhone matches. Bad
 * frames, unauthenticated reports, reports under another number and floods are refused
 * and counted per reason; the connection and the server keep running.
 */
export class Jt808Server {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly stats: Jt808Stats = { connections: 0, accepted: 0, frames: 0, locations: 0, refused: {}, closed: { authTimeout: 0, idle: 0, internal: 0 } };
  #lastLog = new Map<string, number>();

  constructor(
    private readonly registry: TerminalRegistry,
    private readonly positions: PositionStore,
    private readonly o: Jt808ServerOptions = {},
  ) {
    this.#server = net.createServer((s) => this.#connection(s));
    this.#server.maxConnections = o.maxConnections ?? 20_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  #count(code: Jt808ErrorCode | 'jt808.internal', n = 1): void {
    this.stats.refused[code] = (this.stats.refused[code] ?? 0) + n;
  }

  /** Refusals are logged at most once a second per reason (a flood must not flood the log). */
  #log(code: string, params: Record<string, unknown>): void {
    const now = Date.now();
    if ((this.#lastLog.get(code) ?? 0) > now - 1000) return;
    this.#lastLog.set(code, now);
    this.o.logger?.warn({ code, ...params }, 'jt808 frame refused');
  }

  #connection(socket: net.Socket): void {
    const now = this.o.now ?? Date.now;
    this.stats.connections++;
    this.stats.accepted++;
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const session = new Jt808Session({ lookup: (p) => this.registry.lookup(p), now, maxFramesPerSecond: this.o.maxFramesPerSecond ?? 100 });
    const authTimer = setTimeout(() => {
      if (session.authenticated) return;
      this.stats.closed.authTimeout++;
      socket.destroy();
    }, this.o.authTimeoutMs ?? 60_000);
    socket.setTimeout(this.o.idleTimeoutMs ?? 180_000, () => {
      this.stats.closed.idle++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      let steps;
      try {
        steps = session.push(chunk);
      } catch (err) {
        this.#count('jt808.internal');
        this.stats.closed.internal++;
        this.o.logger?.error({ err: (err as Error).message }, 'jt808 session failed; connection closed');
        socket.destroy();
        return;
      }
      const replies: Buffer[] = [];
      const out: BusPosition[] = [];
      const t = session.record as Jt808Terminal | null;
      for (const step of steps) {
        this.stats.frames++;
        replies.push(...step.replies);
        if (step.refused) {
          this.#count(step.refused.code);
          this.#log(step.refused.code, { remote: socket.remoteAddress, ...step.refused.params });
        }
        if (t)
          for (const l of step.locations)
            out.push({
              schoolId: t.schoolId,
              vehicleId: t.vehicleId,
              at: l.location.time,
              source: 'jt808',
              lat: l.location.lat,
              lon: l.location.lon,
              speedKmh: l.location.speedKmh,
              heading: l.location.heading,
              backfill: l.backfill,
              alarm: l.location.alarm,
              status: l.location.status,
              tripId: null,
            });
      }
      if (out.length) {
        this.stats.locations += out.length;
        this.positions.add(out);
      }
      if (replies.length && socket.writable) socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(authTimer);
      this.stats.connections--;
      this.#sockets.delete(socket);
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
