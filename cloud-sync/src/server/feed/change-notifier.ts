/**
 * Wakes long-polling change-feed requests of one school when its records change in this
 * process. Other cloud processes are covered by the long-poll's periodic re-check.
 */
export class ChangeNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(schoolId: string): void {
    const set = this.waiters.get(schoolId);
    if (!set) return;
    this.waiters.delete(schoolId);
    for (const w of set) w();
  }

  /** Resolves on the next change of the school, or after `ms`, or when `signal` aborts. */
  wait(schoolId: string, ms: number, signal?: AbortSignal): Promise<void> {
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
