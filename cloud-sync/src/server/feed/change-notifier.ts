import type { Database } from '../db/database.js';

/** The PostgreSQL channel a record write notifies (payload: the school id) at its commit. */
export const CHANGES_CHANNEL = 'campus_changes';

/**
 * Wakes long-polling change-feed requests of one school when its records change, in this
 * process or in any other cloud process on the same database: record writes `pg_notify`
 * in their transaction, and `attach` LISTENs for them. Each school has a change counter;
 * a waiter passes the counter it saw before reading, so a change that lands between its
 * read and its wait is never slept through.
 */
export class ChangeNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly versions = new Map<string, number>();
  private epoch = 0;

  /** Listens to the database's change notifications (all processes). */
  async attach(db: Database): Promise<() => Promise<void>> {
    return db.listen(CHANGES_CHANNEL, (schoolId) => this.notify(schoolId), () => this.notifyAll());
  }

  notify(schoolId: string): void {
    this.versions.set(schoolId, (this.versions.get(schoolId) ?? 0) + 1);
    const set = this.waiters.get(schoolId);
    if (!set) return;
    this.waiters.delete(schoolId);
    for (const w of set) w();
  }

  /** Notifications may have been missed (the listening connection was lost): wake everyone to re-check. */
  notifyAll(): void {
    this.epoch++;
    for (const schoolId of [...this.waiters.keys()]) this.notify(schoolId);
  }

  /** The school's change counter: pass it to `wait` after reading. */
  version(schoolId: string): number {
    return (this.versions.get(schoolId) ?? 0) + this.epoch * 1e9;
  }

  /** Resolves on the next change of the school (or at once if one came after `seen`), or after `ms`, or when `signal` aborts. */
  wait(schoolId: string, ms: number, signal?: AbortSignal, seen?: number): Promise<void> {
    if (seen !== undefined && seen !== this.version(schoolId)) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiters.get(schoolId);
      if (!set) this.waiters.set(schoolId, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.get(schoolId)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}
