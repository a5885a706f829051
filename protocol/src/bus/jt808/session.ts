import { Jt808Error, hex, type Jt808ErrorCode } from './errors.js';
import { decodeFrame, Jt808Splitter, type Jt808Header } from './frame.js';
import { decodeMessage, encodeMessage, MSG, type Jt808Body, type Location } from './messages.js';

/** A terminal as the platform registered it: its phone number, its vehicle and the code it authenticates with. */
export interface TerminalRecord {
  /** BCD digits as they appear in the header (12 for 2013, 20 for 2019), zero-padded. */
  phone: string;
  plate: string;
  authCode: string;
}

export interface SessionOptions {
  /** The platform's registry of terminals. */
  lookup(phone: string): TerminalRecord | undefined;
  now(): number;
  /** Frames accepted per second from one connection; the excess is dropped and counted. */
  maxFramesPerSecond?: number;
}

/** What one frame produced: replies to write back, positions to store, a refusal to count. */
export interface SessionStep {
  replies: Buffer[];
  locations: Array<{ plate: string; phone: string; location: Location; backfill: boolean }>;
  refused: { code: Jt808ErrorCode; params: Record<string, string | number> } | null;
}

const RESULT = { ok: 0, failed: 1, bad: 2, unsupported: 3 } as const;

/**
 * One terminal connection at the platform, as pure logic (the TCP server owns the socket):
 * registration (0x0100 → 0x8100 with the authentication code), authentication (0x0102),
 * heartbeat, location and backfill only after authentication and only for the terminal's
 * own number, a frame-rate limit, and a general reply (0x8001) for everything accepted or
 * refused that can be answered. Every refusal is counted by code; nothing here throws.
 */
export class Jt808Session {
  phone: string | null = null;
  record: TerminalRecord | null = null;
  readonly counts: Partial<Record<Jt808ErrorCode | 'frames' | 'locations', number>> = {};
  readonly #splitter: Jt808Splitter;
  #serial = 0;
  #window = { second: -1, frames: 0 };
  #pending: SessionStep[] = [];

  constructor(private readonly o: SessionOptions) {
    this.#splitter = new Jt808Splitter((f) => this.#pending.push(this.handle(f)));
  }

  get authenticated(): boolean {
    return this.record !== null;
  }

  /** Bytes from the socket → one step per complete frame. */
  push(chunk: Uint8Array): SessionStep[] {
    this.#splitter.push(chunk);
    return this.#pending.splice(0);
  }

  #count(k: Jt808ErrorCode | 'frames' | 'locations', n = 1): void {
    this.counts[k] = (this.counts[k] ?? 0) + n;
  }

  #reply(to: Jt808Header, body: Jt808Body): Buffer {
    this.#serial = (this.#serial + 1) & 0xffff;
    const header: Omit<Jt808Header, 'msgId'> = { version: to.version, phone: to.phone, serial: this.#serial };
    if (to.version === 2019) header.protocolVersion = to.protocolVersion ?? 1;
    return encodeMessage({ header, body });
  }

  #general(to: Jt808Header, result: number): Buffer {
    return this.#reply(to, { msgId: MSG.platformReply, replySerial: to.serial, replyId: to.msgId, result });
  }

  handle(frame: Buffer): SessionStep {
    const step: SessionStep = { replies: [], locations: [], refused: null };
    const refuse = (code: Jt808ErrorCode, params: Record<string, string | number> = {}) => {
      this.#count(code);
      step.refused = { code, params };
      return step;
    };
    const limit = this.o.maxFramesPerSecond ?? 100;
    const second = Math.floor(this.o.now() / 1000);
    if (second !== this.#window.second) this.#window = { second, frames: 0 };
    if (++this.#window.frames > limit) return refuse('jt808.flood', { phone: this.phone ?? '-', limit });
    this.#count('frames');
    let header: Jt808Header;
    try {
      header = decodeFrame(frame).header;
    } catch (err) {
      if (err instanceof Jt808Error) return refuse(err.code, err.params);
      throw err;
    }
    let body: Jt808Body;
    try {
      body = decodeMessage(frame).body;
    } catch (err) {
      if (!(err instanceof Jt808Error)) throw err;
      step.replies.push(this.#general(header, err.code === 'jt808.unknown_id' ? RESULT.unsupported : RESULT.bad));
      return refuse(err.code, err.params);
    }
    const msgId = hex(header.msgId, 4);
    if (this.phone !== null && header.phone !== this.phone) {
      step.replies.push(this.#general(header, RESULT.failed));
      return refuse('jt808.wrong_terminal', { phone: this.phone, other: header.phone });
    }
    switch (body.msgId) {
      case MSG.register: {
        const rec = this.o.lookup(header.phone);
        const result = !rec ? 4 : rec.plate !== body.plate ? 2 : 0;
        step.replies.push(this.#reply(header, { msgId: MSG.registerReply, replySerial: header.serial, result, ...(result === 0 ? { authCode: rec!.authCode } : {}) }));
        if (!rec) return refuse('jt808.unknown_terminal', { phone: header.phone });
        if (result === 2) return refuse('jt808.wrong_vehicle', { phone: header.phone, plate: body.plate, expected: rec.plate });
        return step;
      }
      case MSG.auth: {
        const rec = this.o.lookup(header.phone);
        if (!rec || rec.authCode !== body.code) {
          step.replies.push(this.#general(header, RESULT.failed));
          return rec ? refuse('jt808.auth_failed', { phone: header.phone }) : refuse('jt808.unknown_terminal', { phone: header.phone });
        }
        this.phone = header.phone;
        this.record = rec;
        step.replies.push(this.#general(header, RESULT.ok));
        return step;
      }
      default:
        break;
    }
    if (!this.record) {
      step.replies.push(this.#general(header, RESULT.failed));
      return refuse('jt808.not_authenticated', { phone: header.phone, msgId });
    }
    if (body.msgId === MSG.location) {
      const { msgId: _id, ...location } = body;
      step.locations.push({ plate: this.record.plate, phone: header.phone, location, backfill: false });
      this.#count('locations');
    } else if (body.msgId === MSG.batchLocation) {
      for (const location of body.items) step.locations.push({ plate: this.record.plate, phone: header.phone, location, backfill: body.backfill });
      this.#count('locations', body.items.length);
    }
    // terminal replies (0x0001) are not answered
    if (body.msgId !== MSG.terminalReply) step.replies.push(this.#general(header, RESULT.ok));
    return step;
  }
}
