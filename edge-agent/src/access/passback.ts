import type { Statement } from 'better-sqlite3';
import type { Direction } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';

export interface PassbackState {
  direction: Direction;
  at: number;
}

/**
 * Anti-passback memory: the last direction each person passed in each zone. Kept in a
 * map for the gate, written through to SQLite so a restart does not let a card be
 * passed back to a friend. Whether a state is still current (reset hour) is the
 * engine's business.
 */
export class Passback {
  readonly #last = new Map<string, PassbackState>();
  #upsert: Statement<unknown[]> | null = null;

  constructor(private readonly db: Db) {}

  load(): void {
    this.#last.clear();
    for (const r of this.db.prepare('SELECT zone, person_id, direction, at FROM access_passback').iterate() as Iterable<{
      zone: string;
      person_id: string;
      direction: Direction;
      at: number;
    }>) {
      this.#last.set(`${r.zone}|${r.person_id}`, { direction: r.direction, at: r.at });
    }
  }

  last(zone: string, personId: string): PassbackState | undefined {
    return this.#last.get(`${zone}|${personId}`);
  }

  /** Records a passage; returns what it replaced, to restore it if nobody went through. */
  record(zone: string, personId: string, direction: Direction, at: number): PassbackState | undefined {
    const key = `${zone}|${personId}`;
    const previous = this.#last.get(key);
    this.#last.set(key, { direction, at });
    this.#upsert ??= this.db.prepare(
      'INSERT INTO access_passback (zone, person_id, direction, at) VALUES (?, ?, ?, ?) ON CONFLICT(zone, person_id) DO UPDATE SET direction = excluded.direction, at = excluded.at',
    );
    this.#upsert.run(zone, personId, direction, at);
    return previous;
  }

  /** Undo `record` when the gate did not open or nobody passed (only if nothing newer happened). */
  restore(zone: string, personId: string, recordedAt: number, previous: PassbackState | undefined): void {
    const key = `${zone}|${personId}`;
    if (this.#last.get(key)?.at !== recordedAt) return;
    if (previous) {
      this.#last.set(key, previous);
      this.db.prepare('UPDATE access_passback SET direction = ?, at = ? WHERE zone = ? AND person_id = ?').run(previous.direction, previous.at, zone, personId);
    } else {
      this.#last.delete(key);
      this.db.prepare('DELETE FROM access_passback WHERE zone = ? AND person_id = ?').run(zone, personId);
    }
  }
}
