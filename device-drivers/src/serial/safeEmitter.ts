/**
 * A typed event emitter whose emit never throws: a listener that throws is reported
 * to `onListenerError` and the remaining listeners still run. Drivers emit from inside
 * serial-port, socket and timer callbacks, where an escaping exception would take the
 * whole daemon down with it.
 */
export type EventSignatures = { [event: string]: unknown[] };
type Listener<A extends unknown[]> = (...args: A) => void;

export type ListenerErrorSink = (error: unknown, event: string) => void;

export class SafeEmitter<E extends { [K in keyof E]: unknown[] }> {
  // Copy-on-write arrays: emit iterates without copying, which matters for 'data'
  // events at line rate, and a listener removed during emit still sees this round.
  readonly #listeners = new Map<keyof E, Listener<never>[]>();
  readonly #onListenerError: ListenerErrorSink;

  constructor(onListenerError: ListenerErrorSink) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const current = this.#listeners.get(event) ?? [];
    this.#listeners.set(event, [...current, listener as Listener<never>]);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> & { original?: Listener<E[K]> } = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    wrapper.original = listener;
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const current = this.#listeners.get(event);
    if (!current) return this;
    const target = listener as Listener<never>;
    const next = current.filter((l) => l !== target && (l as { original?: unknown }).original !== target);
    if (next.length === 0) this.#listeners.delete(event);
    else this.#listeners.set(event, next);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const current = this.#listeners.get(event);
    if (!current) return;
    for (const listener of current) {
      try {
        (listener as Listener<E[K]>)(...args);
      } catch (error) {
        try {
          this.#onListenerError(error, String(event));
        } catch {
          // The error sink itself failed; there is nowhere safer to report it.
        }
      }
    }
  }
}
