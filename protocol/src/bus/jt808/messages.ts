import { decodeBcdTime, encodeBcdTime } from './bcd.js';
import { Jt808Error, hex } from './errors.js';
import { decodeFrame, encodeFrame, type Jt808Header } from './frame.js';
import { decodeGbk, encodeGbk } from './gbk.js';

export const MSG = {
  terminalReply: 0x0001,
  heartbeat: 0x0002,
  register: 0x0100,
  registerReply: 0x8100,
  auth: 0x0102,
  location: 0x0200,
  batchLocation: 0x0704,
  platformReply: 0x8001,
} as const;

/** Alarm flag bits of 0x0200 (JT/T 808 table 24, the ones a school bus cares about). */
export const ALARM_BITS = {
  emergency: 0,
  overspeed: 1,
  fatigue: 2,
  danger: 3,
  gnssFault: 4,
  gnssAntennaOpen: 5,
  gnssAntennaShort: 6,
  powerLow: 7,
  powerOff: 8,
  overspeedWarning: 13,
  fatigueWarning: 14,
  drivingTimeout: 18,
  parkingTimeout: 19,
  illegalIgnition: 27,
  illegalDisplacement: 28,
  collisionWarning: 29,
  rolloverWarning: 30,
  illegalDoorOpen: 31,
} as const;
export type AlarmName = keyof typeof ALARM_BITS;

/** Status bits of 0x0200 (table 25). */
export const STATUS_BITS = {
  accOn: 0,
  positioned: 1,
  south: 2,
  west: 3,
  outOfService: 4,
  encrypted: 5,
  doorOpen: 13,
  gps: 18,
  beidou: 19,
  glonass: 20,
  galileo: 21,
} as const;
export type StatusName = keyof typeof STATUS_BITS;

export function flagNames<N extends string>(value: number, bits: Record<N, number>): N[] {
  return (Object.keys(bits) as N[]).filter((k) => ((value >>> bits[k]) & 1) === 1);
}

export interface Location {
  alarm: number;
  status: number;
  /** Degrees, signed (south and west negative, from the status bits). */
  lat: number;
  lon: number;
  altitudeM: number;
  speedKmh: number;
  /** 0–359, clockwise from north. */
  heading: number;
  /** ms since epoch (the BCD time is GMT+8). */
  time: number;
  /** Extra items: known ones decoded, others kept as hex by id. */
  extra: {
    mileageKm?: number;
    fuelL?: number;
    tachoSpeedKmh?: number;
    signal?: number;
    satellites?: number;
    other?: Record<number, string>;
  };
}

export interface Register {
  province: number;
  city: number;
  maker: string;
  model: string;
  terminalId: string;
  plateColor: number;
  /** Plate (GBK) or VIN when plateColor is 0. */
  plate: string;
}

export interface Auth {
  code: string;
  /** 2019 only. */
  imei?: string;
  softwareVersion?: string;
}

export type Jt808Body =
  | { msgId: 0x0001 | 0x8001; replySerial: number; replyId: number; result: number }
  | { msgId: 0x0002 }
  | ({ msgId: 0x0100 } & Register)
  | { msgId: 0x8100; replySerial: number; result: number; authCode?: string }
  | ({ msgId: 0x0102 } & Auth)
  | ({ msgId: 0x0200 } & Location)
  | { msgId: 0x0704; backfill: boolean; items: Location[] };

export type Jt808Message = { header: Omit<Jt808Header, 'msgId'> } & { body: Jt808Body };

class Reader {
  off = 0;
  constructor(
    readonly buf: Buffer<ArrayBufferLike>,
    readonly msgId: number,
  ) {}
  need(n: number, field: string): void {
    if (this.off + n > this.buf.length) throw new Jt808Error('jt808.bad_field', { msgId: hex(this.msgId, 4), field });
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.off++]!;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  rest(): Buffer {
    const v = this.buf.subarray(this.off);
    this.off = this.buf.length;
    return v;
  }
  end(field: string): void {
    if (this.off !== this.buf.length) throw new Jt808Error('jt808.bad_field', { msgId: hex(this.msgId, 4), field });
  }
}

/** Fixed-width text field: GBK, right-padded with 0x00, trailing zeros dropped on decode. */
function fixed(text: string, width: number, msgId: number, field: string): Buffer {
  const b = encodeGbk(text);
  if (b.length > width) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field });
  return Buffer.concat([b, Buffer.alloc(width - b.length)]);
}
function unfixed(b: Buffer): string {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  return decodeGbk(b.subarray(0, end));
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export function encodeLocation(l: Location): Buffer {
  let status = l.status & ~((1 << STATUS_BITS.south) | (1 << STATUS_BITS.west));
  if (l.lat < 0) status |= 1 << STATUS_BITS.south;
  if (l.lon < 0) status |= 1 << STATUS_BITS.west;
  const parts = [
    u32(l.alarm),
    u32(status),
    u32(Math.round(Math.abs(l.lat) * 1e6)),
    u32(Math.round(Math.abs(l.lon) * 1e6)),
    u16(Math.round(l.altitudeM)),
    u16(Math.round(l.speedKmh * 10)),
    u16(l.heading),
    encodeBcdTime(l.time),
  ];
  const x = l.extra;
  const item = (id: number, value: Buffer) => parts.push(Buffer.from([id, value.length]), value);
  if (x.mileageKm !== undefined) item(0x01, u32(Math.round(x.mileageKm * 10)));
  if (x.fuelL !== undefined) item(0x02, u16(Math.round(x.fuelL * 10)));
  if (x.tachoSpeedKmh !== undefined) item(0x03, u16(Math.round(x.tachoSpeedKmh * 10)));
  if (x.signal !== undefined) item(0x30, Buffer.from([x.signal]));
  if (x.satellites !== undefined) item(0x31, Buffer.from([x.satellites]));
  for (const [id, h] of Object.entries(x.other ?? {})) item(Number(id), Buffer.from(h, 'hex'));
  return Buffer.concat(parts);
}

export function decodeLocation(buf: Buffer<ArrayBufferLike>, msgId = MSG.location as number): Location {
  const r = new Reader(buf, msgId);
  const alarm = r.u32('alarm');
  const status = r.u32('status');
  const latRaw = r.u32('latitude');
  const lonRaw = r.u32('longitude');
  if (latRaw > 90e6) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field: 'latitude' });
  if (lonRaw > 180e6) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field: 'longitude' });
  const altitudeM = r.u16('altitude');
  const speedKmh = r.u16('speed') / 10;
  const heading = r.u16('heading');
  if (heading > 359) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field: 'heading' });
  const time = decodeBcdTime(r.bytes(6, 'time'));
  const extra: Location['extra'] = {};
  while (r.off < buf.length) {
    const id = r.u8('extra id');
    const len = r.u8('extra length');
    const v = r.bytes(len, `extra ${hex(id)}`);
    const want = (n: number) => {
      if (len !== n) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field: `extra ${hex(id)}` });
    };
    if (id === 0x01) {
      want(4);
      extra.mileageKm = v.readUInt32BE(0) / 10;
    } else if (id === 0x02) {
      want(2);
      extra.fuelL = v.readUInt16BE(0) / 10;
    } else if (id === 0x03) {
      want(2);
      extra.tachoSpeedKmh = v.readUInt16BE(0) / 10;
    } else if (id === 0x30) {
      want(1);
      extra.signal = v[0]!;
    } else if (id === 0x31) {
      want(1);
      extra.satellites = v[0]!;
    }
    else (extra.other ??= {})[id] = v.toString('hex');
  }
  const south = ((status >>> STATUS_BITS.south) & 1) === 1;
  const west = ((status >>> STATUS_BITS.west) & 1) === 1;
  return { alarm, status, lat: (south ? -latRaw : latRaw) / 1e6, lon: (west ? -lonRaw : lonRaw) / 1e6, altitudeM, speedKmh, heading, time, extra };
}

function encodeBody(body: Jt808Body, version: 2013 | 2019): Buffer<ArrayBufferLike> {
  switch (body.msgId) {
    case 0x0001:
    case 0x8001:
      return Buffer.concat([u16(body.replySerial), u16(body.replyId), Buffer.from([body.result])]);
    case 0x0002:
      return Buffer.alloc(0);
    case 0x0100: {
      const w = version === 2019 ? { maker: 11, model: 30, id: 30 } : { maker: 5, model: 20, id: 7 };
      return Buffer.concat([
        u16(body.province),
        u16(body.city),
        fixed(body.maker, w.maker, body.msgId, 'maker'),
        fixed(body.model, w.model, body.msgId, 'model'),
        fixed(body.terminalId, w.id, body.msgId, 'terminalId'),
        Buffer.from([body.plateColor]),
        encodeGbk(body.plate),
      ]);
    }
    case 0x8100:
      return Buffer.concat([u16(body.replySerial), Buffer.from([body.result]), body.result === 0 ? encodeGbk(body.authCode ?? '') : Buffer.alloc(0)]);
    case 0x0102: {
      const code = encodeGbk(body.code);
      if (version === 2013) return code;
      if (code.length > 255) throw new Jt808Error('jt808.bad_field', { msgId: hex(body.msgId, 4), field: 'code' });
      return Buffer.concat([Buffer.from([code.length]), code, fixed(body.imei ?? '', 15, body.msgId, 'imei'), fixed(body.softwareVersion ?? '', 20, body.msgId, 'softwareVersion')]);
    }
    case 0x0200:
      return encodeLocation(body);
    case 0x0704: {
      const parts: Buffer<ArrayBufferLike>[] = [u16(body.items.length), Buffer.from([body.backfill ? 1 : 0])];
      for (const l of body.items) {
        const b = encodeLocation(l);
        parts.push(u16(b.length), b);
      }
      return Buffer.concat(parts);
    }
  }
}

function decodeBody(msgId: number, buf: Buffer<ArrayBufferLike>, version: 2013 | 2019): Jt808Body {
  const r = new Reader(buf, msgId);
  switch (msgId) {
    case 0x0001:
    case 0x8001: {
      const body = { msgId, replySerial: r.u16('serial'), replyId: r.u16('id'), result: r.u8('result') } as Jt808Body;
      r.end('length');
      return body;
    }
    case 0x0002:
      r.end('length');
      return { msgId };
    case 0x0100: {
      const w = version === 2019 ? { maker: 11, model: 30, id: 30 } : { maker: 5, model: 20, id: 7 };
      return {
        msgId,
        province: r.u16('province'),
        city: r.u16('city'),
        maker: unfixed(r.bytes(w.maker, 'maker')),
        model: unfixed(r.bytes(w.model, 'model')),
        terminalId: unfixed(r.bytes(w.id, 'terminalId')),
        plateColor: r.u8('plateColor'),
        plate: decodeGbk(r.rest()),
      };
    }
    case 0x8100: {
      const replySerial = r.u16('serial');
      const result = r.u8('result');
      if (result === 0) return { msgId, replySerial, result, authCode: decodeGbk(r.rest()) };
      r.end('length');
      return { msgId, replySerial, result };
    }
    case 0x0102: {
      if (version === 2013) return { msgId, code: decodeGbk(r.rest()) };
      const n = r.u8('code length');
      const code = decodeGbk(r.bytes(n, 'code'));
      const imei = unfixed(r.bytes(15, 'imei'));
      const softwareVersion = unfixed(r.bytes(20, 'softwareVersion'));
      r.end('length');
      return { msgId, code, imei, softwareVersion };
    }
    case 0x0200:
      return { msgId, ...decodeLocation(buf, msgId) };
    case 0x0704: {
      const count = r.u16('count');
      const type = r.u8('type');
      if (type > 1) throw new Jt808Error('jt808.bad_field', { msgId: hex(msgId, 4), field: 'type' });
      const items: Location[] = [];
      for (let i = 0; i < count; i++) {
        const len = r.u16(`item ${i} length`);
        items.push(decodeLocation(Buffer.from(r.bytes(len, `item ${i}`)), msgId));
      }
      r.end('count');
      return { msgId, backfill: type === 1, items };
    }
    default:
      throw new Jt808Error('jt808.unknown_id', { msgId: hex(msgId, 4) });
  }
}

/** A message → one escaped frame ready for the socket. */
export function encodeMessage(m: Jt808Message): Buffer {
  return encodeFrame({ ...m.header, msgId: m.body.msgId }, encodeBody(m.body, m.header.version));
}

/** One escaped frame → a typed message. Throws Jt808Error with a code for every refusal. */
export function decodeMessage(frame: Uint8Array): Jt808Message {
  const { header, body } = decodeFrame(frame);
  const { msgId, ...rest } = header;
  return { header: rest, body: decodeBody(msgId, body, header.version) };
}
