import { z } from 'zod';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import type { DiscreteInputs } from './relayOutput.js';

export const InputWatcherOptionsSchema = z.object({
  first: z.number().int().min(0).default(0),
  count: z.number().int().min(1).max(64).default(8),
  /** A person takes ~300 ms to cross a photo-beam; 50 ms polling sees every crossing. */
  pollMs: z.number().int().min(5).max(60_000).default(50),
});
export type InputWatcherOptions = z.input<typeof InputWatcherOptionsSchema>;

export interface InputChange {
  /** Input number relative to the board (first + index). */
  channel: number;
  value: boolean;
  at: number;
}

interface InputWatcherEvents {
  change: [change: InputChange];
  /** Polling failed; the watcher keeps trying. Reported once per outage. */
  unreachable: [error: unknown];
}

/**
 * Polls discrete inputs (pass sensors, the fire panel's dry contact) and reports edges.
 * After an outage the first reading becomes the new baseline, so a reconnect never
 * invents a passage.
 */
export class InputWatcher extends SafeEmitter<InputWatcherEvents> {
  readonly options: z.output<typeof InputWatcherOptionsSchema>;
  readonly #inputs: DiscreteInputs;
  readonly #logger: DriverLogger;
  #last: boolean[] | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #failing = false;

  constructor(inputs: DiscreteInputs, options: InputWatcherOptions = {}, logger: DriverLogger = silentLogger) {
    super((error, event) => logger.error({ err: error, inputs: inputs.id, event }, 'input listener threw'));
    this.options = parseOptions(InputWatcherOptionsSchema, options, 'input-watcher');
    this.#inputs = inputs;
    this.#logger = logger;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#poll();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  current(): boolean[] | null {
    return this.#last ? [...this.#last] : null;
  }

  async #poll(): Promise<void> {
    if (!this.#running) return;
    const { first, count } = this.options;
    try {
      const values = await this.#inputs.readInputs(first, count);
      this.#failing = false;
      const at = Date.now();
      const last = this.#last;
      this.#last = values;
      if (last) {
        for (let i = 0; i < count; i++) {
          if (values[i] !== last[i]) this.emit('change', { channel: first + i, value: values[i] === true, at });
        }
      }
    } catch (error) {
      this.#last = null;
      if (!this.#failing) {
        this.#failing = true;
        this.#logger.warn({ err: error, inputs: this.#inputs.id }, 'input polling failed');
        this.emit('unreachable', error);
      }
    }
    if (this.#running) this.#timer = setTimeout(() => void this.#poll(), this.options.pollMs);
  }
}
