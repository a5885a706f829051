import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Sits between a socket and aedes and watches MQTT fixed headers as bytes arrive
 * (MQTT 3.1.1 §2.2). A packet whose declared Remaining Length exceeds the limit is
 * refused as soon as its header is seen, before its body is buffered, so one
 * client cannot make the broker hold a 256 MB packet in memory.
 */
export class GuardedConnection extends Duplex {
  clientId: string | null = null;
  private state: 'type' | 'length' | 'body' = 'type';
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private tripped = false;

  constructor(
    readonly socket: Socket,
    private readonly maxPacketBytes: number,
    private readonly onOversize: (conn: GuardedConnection, declaredBytes: number) => void,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => {
      if (this.tripped) return;
      if (!this.scan(chunk)) return;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed) return cb();
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** Returns false when the connection was refused. */
  private scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const b = chunk[i++]!;
        this.remaining += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if ((b & 0x80) === 0 || this.lengthBytes >= 4) {
          if (this.remaining > this.maxPacketBytes) {
            this.tripped = true;
            this.onOversize(this, this.remaining);
            this.socket.destroy();
            return false;
          }
          this.state = this.remaining === 0 ? 'type' : 'body';
        }
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    return true;
  }
}
