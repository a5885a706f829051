import type { Database, Queryable } from '../db/database.js';
import { CHANGES_CHANNEL } from '../feed/change-notifier.js';

/** The PostgreSQL channel of live views; payload: a topic such as `bus:<schoolId>`. */
export const LIVE_CHANNEL = 'campus_live';

/** Topics of live views. Payloads stay short: a kind and a school id, never data. */
export const liveTopic = {
  /** A school's buses: positions, trips, stops, rides (the parent's bus card). */
  bus: (schoolId: string) => `bus:${schoolId}`,
  /** A school's edges: last contact, feed cursor, self-report (the console's edge health). */
  edges: (schoolId: string) => `edges:${schoolId}`,
  /** A school's cloud-owned records changed (the change feed's own notification). */
  records: (schoolId: string) => `records:${schoolId}`,
};

/**
 * Live views across cloud processes. Writers `publish` a topic in their transaction
 * (`pg_notify`, delivered at commit to every process on the database, repeats within one
 * transaction folded by PostgreSQL) or a trigger does it for them (migration 10); each
 * process LISTENs once and fans the topic out to its connected clients. Nothing but the
 * topic travels: a woken view reads the current state itself, through its own access rules.
 * When the listening connection was lost (notifications may be missing), every subscriber
 * is woken to re-read.
 */
export class LiveHub {
  private readonly subs = new Map<string, Set<() => void>>();
  private stop: (() => Promise<void>)[] = [];

  async attach(db: Database): Promise<() => Promise<void>> {
    const all = () => {
      for (const set of this.subs.values()) for (const fn of set) fn();
    };
    this.stop.push(await db.listen(LIVE_CHANNEL, (topic) => this.wake(topic), all));
    // Record writes already notify their school on the change feed's channel.
    this.stop.push(await db.listen(CHANGES_CHANNEL, (schoolId) => this.wake(liveTopic.records(schoolId)), all));
    return async () => {
      for (const s of this.stop.splice(0)) await s();
    };
  }

  /** Announces a change of `topic` at the commit of `q`'s transaction (at once outside one). */
  static async publish(q: Queryable, topic: string): Promise<void> {
    await q.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, topic]);
  }

  /** Calls `fn` on every change of any of `topics`; returns the unsubscribe. */
  subscribe(topics: readonly string[], fn: () => void): () => void {
    for (const t of topics) {
      let set = this.subs.get(t);
      if (!set) this.subs.set(t, (set = new Set()));
      set.add(fn);
    }
    return () => {
      for (const t of topics) {
        const set = this.subs.get(t);
        set?.delete(fn);
        if (set?.size === 0) this.subs.delete(t);
      }
    };
  }

  /** Subscribers now (all topics), for tests and health. */
  get size(): number {
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }

  private wake(topic: string): void {
    const set = this.subs.get(topic);
    if (set) for (const fn of [...set]) fn();
  }
}
