/**
 * Runs one reconcile per device at a time, coalescing bursts: ten events for "1-2"
 * while its reconcile runs cause exactly one more run, not ten. A bound on concurrent
 * runs keeps a flood of insertions from opening thousands of sysfs files at once.
 * A failing run is reported and never breaks the queue.
 */
export class DeviceWorkQueue {
  private readonly entries = new Map<string, { rerun: boolean; done: Promise<void> }>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly limit = 8,
  ) {}

  /** Resolves once a run that started after this call has finished. */
  schedule(key: string): Promise<void> {
    const existing = this.entries.get(key);
    if (existing) {
      existing.rerun = true;
      return existing.done;
    }
    const entry = { rerun: true, done: Promise.resolve() };
    this.entries.set(key, entry);
    entry.done = (async () => {
      try {
        while (entry.rerun) {
          entry.rerun = false;
          await this.withSlot(key);
        }
      } finally {
        this.entries.delete(key);
      }
    })();
    return entry.done;
  }

  get pending(): number {
    return this.entries.size;
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.entries.size > 0) await Promise.all([...this.entries.values()].map((e) => e.done));
  }

  private async withSlot(key: string): Promise<void> {
    // A finishing run hands its slot straight to the next waiter, so the bound holds exactly.
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      await this.work(key);
    } catch (err) {
      this.onError(key, err);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
