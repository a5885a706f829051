import type { Duplex } from 'node:stream';

/**
 * Watches MQTT fixed headers as bytes are read (MQTT 3.1.1 §2.2). A packet whose
 * declared Remaining Length exceeds the limit is refused as soon as its header is
 * seen, before its body is buffered, so one client cannot make the broker hold a
 * 256 MB packet in memory (aedes' parser has no size limit of its own).
 *
 * aedes reads its connection with `read()` on 'readable'; the guard wraps that one
 * method instead of adding a stream hop, which costs throughput on every message.
 */
export class PacketSizeGuard {
  clientId: string | null = null;
  private state: 0 | 1 | 2 = 0; // 0: type byte, 1: length bytes, 2: body
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private tripped = false;

  constructor(
    private readonly socket: Duplex,
    private readonly maxPacketBytes: number,
    private readonly onOversize: (guard: PacketSizeGuard, declaredBytes: number) => void,
  ) {
    const read = socket.read.bind(socket);
    socket.read = ((size?: number) => {
      if (this.tripped) return null;
      const chunk = read(size) as Buffer | string | null;
      if (chunk && typeof chunk !== 'string' && !this.scan(chunk)) return null;
      return chunk;
    }) as Duplex['read'];
  }

  /** Returns false when the connection was refused. */
  private scan(chunk: Buffer): boolean {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === 2) {
        const take = Math.min(this.remaining, n - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 0;
      } else if (this.state === 0) {
        i++;
        this.state = 1;
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else {
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
          this.state = this.remaining === 0 ? 0 : 2;
        }
      }
    }
    return true;
  }
}
