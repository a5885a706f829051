import net from 'node:net';
import { decodeMessage, encodeMessage, Jt808Splitter, type Jt808Body, type Jt808Message, type Jt808Version } from '@campus/protocol/bus/jt808/index';

/** A JT/T 808 terminal over a real TCP socket: sends frames, collects the platform's decoded replies. */
export class TestTerminal {
  readonly replies: Jt808Body[] = [];
  serial = 0;
  closed = false;
  #waiters: (() => void)[] = [];
  private constructor(
    readonly socket: net.Socket,
    readonly phone: string,
    readonly version: Jt808Version,
  ) {
    const splitter = new Jt808Splitter((f) => {
      this.replies.push(decodeMessage(f).body);
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('data', (c) => splitter.push(c));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, phone: string, version: Jt808Version = 2013): Promise<TestTerminal> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    return new TestTerminal(s, phone, version);
  }

  frame(body: Jt808Body, phone = this.phone): Buffer {
    const header = { version: this.version, phone, serial: ++this.serial, ...(this.version === 2019 ? { protocolVersion: 1 } : {}) };
    return encodeMessage({ header, body } as Jt808Message);
  }

  send(b: Buffer | Buffer[]): void {
    this.socket.write(Array.isArray(b) ? Buffer.concat(b) : b);
  }

  /** Waits until `n` replies have arrived in total. */
  async waitReplies(n: number, ms = 10_000): Promise<Jt808Body[]> {
    const deadline = Date.now() + ms;
    while (this.replies.length < n) {
      if (this.closed) throw new Error(`socket closed after ${this.replies.length} of ${n} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.replies.length} of ${n} replies within ${ms} ms`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, left);
      });
    }
    return this.replies;
  }

  /** Sends and waits for one more reply. */
  async ask(body: Jt808Body, phone?: string): Promise<Jt808Body> {
    const n = this.replies.length + 1;
    this.send(this.frame(body, phone));
    return (await this.waitReplies(n))[n - 1]!;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const location = (time: number, lat = 31.2, lon = 121.4, speedKmh = 30) => ({ msgId: 0x0200 as const, alarm: 0, status: 3, lat, lon, altitudeM: 5, speedKmh, heading: 90, time, extra: {} });
export const register = (plate: string) => ({ msgId: 0x0100 as const, province: 31, city: 115, maker: 'ABCDE', model: 'M1', terminalId: 'T1', plateColor: 2, plate });
