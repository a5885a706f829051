import type { Db } from '../../store/index.js';

export interface Override {
  circuit: string;
  on: boolean;
  until: number;
  by: string;
  createdAt: number;
}

interface Row {
  circuit: string;
  on_state: number;
  until: number;
  by: string;
  created_at: number;
}

/** Manual holds: while one is in force, schedules leave the circuit alone. */
export class OverrideRepo {
  constructor(private readonly db: Db) {}

  set(o: Override): void {
    this.db
      .prepare(
        `INSERT INTO energy_overrides (circuit, on_state, until, by, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(circuit) DO UPDATE SET on_state = excluded.on_state, until = excluded.until, by = excluded.by, created_at = excluded.created_at`,
      )
      .run(o.circuit, o.on ? 1 : 0, o.until, o.by, o.createdAt);
  }

  get(circuit: string): Override | undefined {
    const r = this.db.prepare('SELECT * FROM energy_overrides WHERE circuit = ?').get(circuit) as Row | undefined;
    return r && fromRow(r);
  }

  all(): Override[] {
    return (this.db.prepare('SELECT * FROM energy_overrides').all() as Row[]).map(fromRow);
  }

  remove(circuit: string): boolean {
    return this.db.prepare('DELETE FROM energy_overrides WHERE circuit = ?').run(circuit).changes > 0;
  }
}

const fromRow = (r: Row): Override => ({ circuit: r.circuit, on: r.on_state === 1, until: r.until, by: r.by, createdAt: r.created_at });
