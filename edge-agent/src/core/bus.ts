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

/** A room's live power and circuits, as the energy domain knows them. */
export interface RoomPower {
  room: string;
  name: string;
  building: string;
  /** Active power of the room's meters in W (null without a fresh reading or a meter). */
  watts: number | null;
  circuits: Array<{ id: string; name: string; kind: string; on: boolean | null }>;
  /** Every circuit of the room reads back off. */
  allOff: boolean;
}

/** What switching a room's circuits off did, per circuit. */
export interface RoomSwitchOff {
  room: string;
  results: Array<{ circuit: string; outcome: string; actual: boolean | null; detail: string | null }>;
}

/**
 * Questions one domain answers for another over the bus, so neither imports the other:
 * `request` for the asker, `answer` for the domain that owns the facts. A `null` answer
 * means the answering domain does not know the subject (e.g. an unknown room).
 */
export interface BusRequests {
  /** Energy: a room's live power and circuit states (facilities pre-fills its lights-off checks). */
  'energy.room.power': { request: { room: string }; answer: RoomPower | null };
  /** Energy: switch every circuit of a room off as a manual switch by `actor` (audited, held like a panel switch). */
  'energy.room.switchOff': { request: { room: string; actor: string; why: string }; answer: RoomSwitchOff | null };
}

/** Nobody answers this request (the answering domain is off). */
export class NoAnswerError extends Error {
  constructor(readonly request: string) {
    super(`no domain answers "${request}"`);
    this.name = 'NoAnswerError';
  }
}

type Answerer<R extends keyof BusRequests> = (req: BusRequests[R]['request']) => BusRequests[R]['answer'] | Promise<BusRequests[R]['answer']>;

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

  private readonly answerers = new Map<keyof BusRequests, unknown>();

  /** Answers `name` (one answerer per request; a second one is a wiring bug). Returns the way to stop answering. */
  answer<R extends keyof BusRequests>(name: R, answerer: Answerer<R>): () => void {
    if (this.answerers.has(name)) throw new Error(`"${name}" is already answered`);
    this.answerers.set(name, answerer);
    return () => {
      if (this.answerers.get(name) === answerer) this.answerers.delete(name);
    };
  }

  /** Asks the domain that answers `name`; NoAnswerError when none does. Its errors reach the caller. */
  async request<R extends keyof BusRequests>(name: R, req: BusRequests[R]['request']): Promise<BusRequests[R]['answer']> {
    const answerer = this.answerers.get(name) as Answerer<R> | undefined;
    if (!answerer) throw new NoAnswerError(name);
    return answerer(req);
  }

  private fail(name: keyof E, err: unknown): void {
    this.errors++;
    this.log.error({ err, event: String(name) }, 'event listener failed');
  }
}
