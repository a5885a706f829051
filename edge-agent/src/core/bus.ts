import type { BrokerRole } from '@campus/protocol';
import type { Logger } from './log.js';
import type { StoredEvent } from '../store/events.js';
import type { ChangeRecord } from '@campus/protocol/sync/changes';

/**
 * The in-process domain event bus: one typed emit/on pair per event name. A
 * listener that throws (or rejects) is logged and never reaches the emitter, so a
 * bug in one module cannot crash the daemon or block another module.
 */
export interface BusEvents {
  /** An event was appended to the event log (after commit). */
  'event.appended': StoredEvent;
  /** A broker client connected or went away. */
  'client.presence': { clientId: string; role: string; online: boolean; at: number; address: string | null };
  /** The clock's trust changed or it jumped. */
  'clock.changed': { trusted: boolean; source: string; jumpMs?: number };
  /**
   * A message an authenticated broker client published (after the ACL let it through).
   * `clientId` and `role` are what the broker authenticated, never what the payload
   * claims; domains parse `payload` with their protocol schema before trusting it.
   */
  /** Cloud-owned records arrived through the change feed (already committed to cloud_records). */
  'cloud.changes': { changes: ChangeRecord[] };
  'mqtt.message': { topic: string; payload: Buffer; clientId: string; role: BrokerRole; at: number };
}

type Listener<T> = (payload: T) => void | Promise<void>;

export class EventBus<E extends object = BusEvents> {
  private listeners = new Map<keyof E, Set<Listener<never>>>();
  errors = 0;

  constructor(private readonly log: Logger) {}

  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof E>(name: K, payload: E[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const l of set) {
      try {
        const r = (l as Listener<E[K]>)(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.fail(name, err));
        }
      } catch (err) {
        this.fail(name, err);
      }
    }
  }

  private fail(name: keyof E, err: unknown): void {
    this.errors++;
    this.log.error({ err, event: String(name) }, 'event listener failed');
  }
}
