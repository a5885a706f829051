import type { Db } from '../../store/index.js';
import { ScheduleSchema, type Schedule, type ScheduleInput } from '../config.js';
import { parseCron } from './cron.js';

/** Schedules live in the edge database (seeded from the config file on first start). */
export class ScheduleRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  list(): Schedule[] {
    return (this.db.prepare('SELECT body FROM energy_schedules ORDER BY id').all() as Array<{ body: string }>).map((r) => ScheduleSchema.parse(JSON.parse(r.body)));
  }

  get(id: string): Schedule | undefined {
    const r = this.db.prepare('SELECT body FROM energy_schedules WHERE id = ?').get(id) as { body: string } | undefined;
    return r && ScheduleSchema.parse(JSON.parse(r.body));
  }

  /** Validates (including the cron expression, which throws CronError) and stores. */
  put(input: ScheduleInput): Schedule {
    const s = ScheduleSchema.parse(input);
    parseCron(s.cron);
    this.db
      .prepare('INSERT INTO energy_schedules (id, body, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at')
      .run(s.id, JSON.stringify(s), this.now());
    return s;
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM energy_schedules WHERE id = ?').run(id).changes > 0;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM energy_schedules').get() as { n: number }).n;
  }
}
