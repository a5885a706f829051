import type { Database, Queryable } from '../db/database.js';

/** Where a position came from: a JT/T 808 terminal over TCP, or a bus box's GPS through the outbox. */
export type PositionSource = 'jt808' | 'edge';

export interface BusPosition {
  schoolId: string;
  vehicleId: string;
  /** Fix time, ms since epoch. */
  at: number;
  source: PositionSource;
  lat: number;
  lon: number;
  speedKmh: number;
  heading: number | null;
  backfill: boolean;
  alarm: number;
  status: number;
  tripId: string | null;
}

export interface PositionStoreOptions {
  /** Rows per INSERT; a full batch is written at once. */
  batch?: number;
  /** Longest a position waits in memory before it is written (ms). */
  flushMs?: number;
  /** Rows held in memory at most while the database is slow; beyond it new ones are dropped and counted. */
  maxPending?: number;
  now?: () => number;
  onError?: (err: Error) => void;
}

/**
 * The one place every bus position lands (JT/T 808 and bus boxes): written in batches
 * (one INSERT … unnest per batch), a resent fix is a no-op. Reads give the latest fix of
 * a vehicle and recent ones for speeds.
 */
export class PositionStore {
  #pending: BusPosition[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #waiters: (() => void)[] = [];
  readonly stats = { received: 0, written: 0, dropped: 0, failedBatches: 0 };
  readonly #batch: number;
  readonly #flushMs: number;
  readonly #maxPending: number;
  readonly #now: () => number;
  /** Called after each written batch with its positions (the live view wakes up). */
  onWritten: ((positions: BusPosition[]) => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly o: PositionStoreOptions = {},
  ) {
    this.#batch = o.batch ?? 2000;
    this.#flushMs = o.flushMs ?? 100;
    this.#maxPending = o.maxPending ?? 200_000;
    this.#now = o.now ?? Date.now;
  }

  add(positions: BusPosition[]): void {
    for (const p of positions) {
      this.stats.received++;
      if (this.#pending.length >= this.#maxPending) {
        this.stats.dropped++;
        continue;
      }
      this.#pending.push(p);
    }
    if (this.#pending.length >= this.#batch) this.#kick();
    else if (!this.#timer && this.#pending.length) this.#timer = setTimeout(() => this.#kick(), this.#flushMs);
  }

  /** Writes now (positions added from the edge API are stored before the upload is acknowledged). */
  async write(positions: BusPosition[]): Promise<number> {
    this.stats.received += positions.length;
    return this.#insert(positions);
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#flushing) return;
    this.#flushing = (async () => {
      while (this.#pending.length) {
        const rows = this.#pending.splice(0, this.#batch);
        try {
          await this.#insert(rows);
        } catch (err) {
          // The database is down: keep the rows (up to maxPending) and retry later.
          this.stats.failedBatches++;
          this.o.onError?.(err as Error);
          this.#pending.unshift(...rows.slice(0, Math.max(0, this.#maxPending - this.#pending.length)));
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })().finally(() => {
      this.#flushing = null;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async #insert(rows: BusPosition[]): Promise<number> {
    const n = await this.insertIn(this.db, rows);
    this.onWritten?.(rows);
    return n;
  }

  /** Inserts in the caller's transaction (an edge batch and its positions commit together). Returns the rows new to the table. */
  async insertIn(q: Queryable, rows: BusPosition[]): Promise<number> {
    if (!rows.length) return 0;
    const r = await q.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO bus_positions (school_id, vehicle_id, at, source, lat, lon, speed_kmh, heading, backfill, alarm, status, trip_id, received_at)
         SELECT * , $13::bigint FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::float8[], $6::float8[], $7::real[], $8::smallint[], $9::boolean[], $10::bigint[], $11::bigint[], $12::text[])
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [
        rows.map((p) => p.schoolId),
        rows.map((p) => p.vehicleId),
        rows.map((p) => p.at),
        rows.map((p) => p.source),
        rows.map((p) => p.lat),
        rows.map((p) => p.lon),
        rows.map((p) => p.speedKmh),
        rows.map((p) => p.heading),
        rows.map((p) => p.backfill),
        rows.map((p) => p.alarm),
        rows.map((p) => p.status),
        rows.map((p) => p.tripId),
        this.#now(),
      ],
    );
    const n = Number(r.rows[0]?.n ?? 0);
    this.stats.written += n;
    return n;
  }

  /** Resolves when everything added so far is written (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.#pending.length) this.#kick();
    while (this.#flushing) await new Promise<void>((r) => this.#waiters.push(r));
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** The latest fixes of a vehicle, newest first. */
  async recent(schoolId: string, vehicleId: string, limit = 20, since = 0): Promise<BusPosition[]> {
    const r = await this.db.query<{ at: string | number; source: PositionSource; lat: number; lon: number; speed_kmh: number; heading: number | null; backfill: boolean; alarm: string | number; status: string | number; trip_id: string | null }>(
      'SELECT at, source, lat, lon, speed_kmh, heading, backfill, alarm, status, trip_id FROM bus_positions WHERE school_id = $1 AND vehicle_id = $2 AND at >= $3 ORDER BY at DESC LIMIT $4',
      [schoolId, vehicleId, since, limit],
    );
    return r.rows.map((x) => ({ schoolId, vehicleId, at: Number(x.at), source: x.source, lat: x.lat, lon: x.lon, speedKmh: x.speed_kmh, heading: x.heading, backfill: x.backfill, alarm: Number(x.alarm), status: Number(x.status), tripId: x.trip_id }));
  }
}
