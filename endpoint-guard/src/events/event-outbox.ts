import { readFile, unlink } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from '../policy/atomic-file.js';

/**
 * USB events on their way to the edge. mqtt.js would buffer publishes made while
 * offline without bound; this queue is bounded (the oldest go first, and are counted)
 * and only hands an event to MQTT while connected, keeping it until the broker
 * acknowledged it (QoS 1). On a clean stop the queue is saved and reloaded at start.
 */
export interface OutboxItem {
  topic: string;
  payload: string;
}

const MAX_IN_FLIGHT = 32;

export class EventOutbox {
  private queue: OutboxItem[] = [];
  private readonly inFlight = new Set<OutboxItem>();
  /** Events dropped because the queue was full while the edge was unreachable. */
  overflowDropped = 0;

  constructor(
    private readonly max: number,
    private readonly send: (item: OutboxItem) => Promise<boolean>,
    private readonly canSend: () => boolean,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.queue.length + this.inFlight.size;
  }

  push(item: OutboxItem): void {
    if (this.size >= this.max && this.queue.length > 0) {
      this.queue.shift();
      this.overflowDropped++;
    }
    this.queue.push(item);
    this.pump();
  }

  /** Sends what it can; call again after (re)connecting. */
  pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.queue.length > 0 && this.canSend()) {
      const item = this.queue.shift()!;
      this.inFlight.add(item);
      this.send(item)
        .catch(() => false)
        .then((ok) => {
          this.inFlight.delete(item);
          if (!ok) this.queue.unshift(item);
          else this.pump();
        });
    }
  }

  async save(path: string): Promise<void> {
    const items = [...this.inFlight, ...this.queue];
    if (items.length === 0) {
      await unlink(path).catch(() => {});
      return;
    }
    await writeFileAtomic(path, JSON.stringify(items));
  }

  async load(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return;
    }
    try {
      const items = JSON.parse(text) as unknown;
      if (!Array.isArray(items)) throw new Error('not an array');
      for (const i of items.slice(-this.max)) {
        if (i && typeof i === 'object' && typeof (i as OutboxItem).topic === 'string' && typeof (i as OutboxItem).payload === 'string') {
          this.queue.push({ topic: (i as OutboxItem).topic, payload: (i as OutboxItem).payload });
        }
      }
    } catch (err) {
      this.log.warn('saved event queue unreadable; discarded', { path, err });
    }
    await unlink(path).catch(() => {});
  }
}
