import type { EventEmitter } from 'node:events';

/**
 * A byte pipe to one physical bus: a serial port or a TCP socket. It only opens,
 * closes and moves bytes; framing, timing and reconnecting live in the bus.
 *
 * Events: 'data' (chunk: Buffer), 'close' (error?: Error) — emitted once per
 * successful open, whether the close was asked for or the cable was pulled.
 */
export interface ByteLink extends EventEmitter {
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the bytes have left (serial: drained to the UART). */
  write(data: Buffer): Promise<void>;
}
