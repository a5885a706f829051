import { RtuRequestAssembler } from './rtu-assembler.js';
import type { SimulatedModbusLine } from './line.js';

/**
 * The slave side of one RTU byte stream (a serial port or an RTU-over-TCP
 * socket): half duplex, one request at a time, replies sent at their paced time.
 */
export class RtuResponder {
  private readonly assembler = new RtuRequestAssembler();
  private busyUntil = 0;
  private idle: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly line: SimulatedModbusLine,
    private readonly send: (bytes: Buffer) => void,
  ) {}

  onData(chunk: Buffer): void {
    if (this.closed) return;
    const arrived = performance.now();
    for (const frame of this.assembler.push(chunk)) this.answer(frame, arrived);
    if (this.idle) clearTimeout(this.idle);
    if (this.assembler.pending > 0) {
      this.idle = setTimeout(() => this.assembler.flush(), 50);
      this.idle.unref();
    }
  }

  get droppedBytes(): number {
    return this.assembler.dropped;
  }

  close(): void {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private answer(frame: Buffer, arrived: number): void {
    const start = Math.max(arrived, this.busyUntil);
    const reply = this.line.respondRtu(frame, Date.now());
    if (!reply) {
      this.busyUntil = start;
      return;
    }
    const sendAt = start + reply.delayMs;
    this.busyUntil = sendAt;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) this.send(reply.bytes);
    }, Math.max(0, sendAt - performance.now()));
    this.timers.add(t);
  }
}
