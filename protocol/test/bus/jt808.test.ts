import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALARM_BITS,
  decodeBcdTime,
  decodeFrame,
  decodeMessage,
  encodeBcdTime,
  encodeFrame,
  encodeMessage,
  flagNames,
  Jt808Error,
  Jt808Splitter,
  STATUS_BITS,
  type Jt808Message,
  type Location,
} from '../../src/bus/jt808/index.js';

const hexBytes = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Jt808Error);
    expect((err as Error).message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/); // zh-CN first, then English
    return (err as Jt808Error).code;
  }
  throw new Error('expected a Jt808Error');
};

const T = Date.UTC(2026, 11, 4, 0, 30, 15); // 2026-12-04 08:30:15 GMT+8
const loc = (over: Partial<Location> = {}): Location => ({
  alarm: 0,
  status: (1 << STATUS_BITS.accOn) | (1 << STATUS_BITS.positioned) | (1 << STATUS_BITS.beidou),
  lat: 31.230416,
  lon: 121.473701,
  altitudeM: 12,
  speedKmh: 42.5,
  heading: 270,
  time: T,
  extra: {},
  ...over,
});

describe('JT/T 808 framing', () => {
  it('decodes a hand-made 2013 heartbeat (XOR computed by hand)', () => {
    // 0x0002, props 0, phone 013912345678, serial 1, check 0x33
    const m = decodeMessage(hexBytes('7E 0002 0000 013912345678 0001 33 7E'));
    expect(m).toEqual({ header: { version: 2013, phone: '013912345678', serial: 1 }, body: { msgId: 0x0002 } });
    expect(encodeMessage(m)).toEqual(hexBytes('7E 0002 0000 013912345678 0001 33 7E'));
  });

  it('escapes 0x7E and 0x7D inside a frame and restores them', () => {
    // serial 0x7E7D forces both escapes in the header
    const frame = encodeFrame({ msgId: 0x0002, version: 2013, phone: '013912345678', serial: 0x7e7d }, Buffer.alloc(0));
    expect(frame.subarray(1, -1).includes(0x7e)).toBe(false);
    expect(frame.toString('hex')).toContain('7d027d01');
    expect(decodeFrame(frame).header.serial).toBe(0x7e7d);
  });

  it('reads 2019 headers (version flag, protocol version, 20-digit phone) and sub-packages', () => {
    const frame = encodeFrame({ msgId: 0x0200, version: 2019, protocolVersion: 1, phone: '00000000013912345678', serial: 9, packet: { total: 3, index: 2 } }, Buffer.from([1, 2, 3]));
    const d = decodeFrame(frame);
    expect(d.header).toEqual({ msgId: 0x0200, version: 2019, protocolVersion: 1, phone: '00000000013912345678', serial: 9, packet: { total: 3, index: 2 } });
    expect([...d.body]).toEqual([1, 2, 3]);
  });

  it('converts BCD times from GMT+8', () => {
    expect(encodeBcdTime(T).toString('hex')).toBe('261204083015');
    expect(decodeBcdTime(hexBytes('261204083015'))).toBe(T);
    expect(code(() => decodeBcdTime(hexBytes('261304083015')))).toBe('jt808.bad_time'); // month 13
    expect(code(() => decodeBcdTime(hexBytes('260231083015')))).toBe('jt808.bad_time'); // 31 Feb
    expect(code(() => decodeBcdTime(hexBytes('2612040830AA')))).toBe('jt808.bad_bcd');
  });
});

describe('JT/T 808 messages round-trip', () => {
  const cases: Array<[string, Jt808Message]> = [
    ['register 2013', { header: { version: 2013, phone: '013912345678', serial: 1 }, body: { msgId: 0x0100, province: 31, city: 115, maker: 'ABCDE', model: 'BUS-T1', terminalId: 'T000001', plateColor: 2, plate: '沪A12345' } }],
    ['register 2019', { header: { version: 2019, protocolVersion: 1, phone: '00000000013912345678', serial: 2 }, body: { msgId: 0x0100, province: 31, city: 115, maker: 'MAKER12345', model: 'JT808-2019 bus terminal', terminalId: 'TERM-0000000000001', plateColor: 2, plate: '京B54321' } }],
    ['register reply', { header: { version: 2013, phone: '013912345678', serial: 3 }, body: { msgId: 0x8100, replySerial: 1, result: 0, authCode: 'AUTH-7f3a' } }],
    ['register refused', { header: { version: 2013, phone: '013912345678', serial: 3 }, body: { msgId: 0x8100, replySerial: 1, result: 2 } }],
    ['auth 2013', { header: { version: 2013, phone: '013912345678', serial: 4 }, body: { msgId: 0x0102, code: 'AUTH-7f3a' } }],
    ['auth 2019', { header: { version: 2019, protocolVersion: 1, phone: '00000000013912345678', serial: 4 }, body: { msgId: 0x0102, code: 'AUTH-7f3a', imei: '861234567890123', softwareVersion: 'v2.1.0' } }],
    ['heartbeat 2019', { header: { version: 2019, protocolVersion: 1, phone: '00000000013912345678', serial: 5 }, body: { msgId: 0x0002 } }],
    ['location', { header: { version: 2013, phone: '013912345678', serial: 6 }, body: { msgId: 0x0200, ...loc({ alarm: 1 << ALARM_BITS.overspeed, extra: { mileageKm: 12345.6, fuelL: 80.5, tachoSpeedKmh: 41, signal: 25, satellites: 14, other: { 0x25: '00000001' } } }) } }],
    ['location south-west', { header: { version: 2013, phone: '013912345678', serial: 7 }, body: { msgId: 0x0200, ...loc({ lat: -33.868820, lon: -70.669265 }) } }],
    ['backfill', { header: { version: 2013, phone: '013912345678', serial: 8 }, body: { msgId: 0x0704, backfill: true, items: [loc(), loc({ time: T + 1000, speedKmh: 43 })] } }],
    ['platform reply', { header: { version: 2013, phone: '013912345678', serial: 9 }, body: { msgId: 0x8001, replySerial: 8, replyId: 0x0704, result: 0 } }],
    ['terminal reply', { header: { version: 2013, phone: '013912345678', serial: 10 }, body: { msgId: 0x0001, replySerial: 2, replyId: 0x8100, result: 0 } }],
  ];
  it.each(cases)('%s', (_name, m) => {
    const frame = encodeMessage(m);
    expect(frame[0]).toBe(0x7e);
    expect(frame[frame.length - 1]).toBe(0x7e);
    const back = decodeMessage(frame);
    if (back.body.msgId === 0x0200 && m.body.msgId === 0x0200) {
      // south/west come back from the status bits
      expect(back.body.lat).toBeCloseTo(m.body.lat, 6);
      expect(back.body.lon).toBeCloseTo(m.body.lon, 6);
    } else expect(back).toEqual(m);
  });

  it('names alarm and status bits', () => {
    const m = decodeMessage(encodeMessage(cases[7]![1]));
    if (m.body.msgId !== 0x0200) throw new Error('not a location');
    expect(flagNames(m.body.alarm, ALARM_BITS)).toEqual(['overspeed']);
    expect(flagNames(m.body.status, STATUS_BITS)).toEqual(['accOn', 'positioned', 'beidou']);
  });

  it('property: any location survives encode → frame → decode', () => {
    const arb = fc.record({
      alarm: fc.nat({ max: 0xffffffff }),
      status: fc.nat({ max: 0xffffffff }),
      lat: fc.integer({ min: -90e6, max: 90e6 }).map((n) => n / 1e6),
      lon: fc.integer({ min: -180e6, max: 180e6 }).map((n) => n / 1e6),
      altitudeM: fc.nat({ max: 0xffff }),
      speedKmh: fc.nat({ max: 0xffff }).map((n) => n / 10),
      heading: fc.nat({ max: 359 }),
      time: fc.integer({ min: Date.UTC(2000, 0, 1, 0, 0, 0) / 1000, max: Date.UTC(2099, 11, 31, 15, 59, 59) / 1000 }).map((s) => s * 1000),
      extra: fc.record({ satellites: fc.nat({ max: 255 }) }, { requiredKeys: [] }),
    });
    const phone = fc.stringMatching(/^\d{12}$/);
    fc.assert(
      fc.property(arb, phone, fc.nat({ max: 0xffff }), (l, p, serial) => {
        const m: Jt808Message = { header: { version: 2013, phone: p, serial }, body: { msgId: 0x0200, ...l } };
        const back = decodeMessage(encodeMessage(m));
        if (back.body.msgId !== 0x0200) return false;
        expect(back.body.time).toBe(l.time);
        expect(back.body.speedKmh).toBe(l.speedKmh);
        expect(back.body.lat).toBeCloseTo(l.lat, 6);
        expect(back.body.lon).toBeCloseTo(l.lon, 6);
        // the hemisphere bits follow the coordinates; every other status and alarm bit is kept
        const hemi = (1 << STATUS_BITS.south) | (1 << STATUS_BITS.west);
        expect((back.body.status & ~hemi) >>> 0).toBe((l.status & ~hemi) >>> 0);
        expect(back.body.alarm).toBe(l.alarm);
        expect(back.header).toEqual(m.header);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('property: escaping never leaves a 0x7E inside, and arbitrary bodies come back byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1023 }), fc.nat({ max: 0xffff }), fc.boolean(), (body, serial, v19) => {
        const frame = encodeFrame({ msgId: 0x0200, version: v19 ? 2019 : 2013, phone: v19 ? '1'.repeat(20) : '1'.repeat(12), serial }, body);
        expect(frame.subarray(1, -1).includes(0x7e)).toBe(false);
        expect([...decodeFrame(frame).body]).toEqual([...body]);
      }),
      { numRuns: 200 },
    );
  });

  it('property: random bytes never crash the decoder, only Jt808Errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const frame = Buffer.concat([Buffer.from([0x7e]), bytes, Buffer.from([0x7e])]);
        try {
          decodeMessage(frame);
        } catch (err) {
          if (!(err instanceof Jt808Error)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('JT/T 808 bad input', () => {
  const good = encodeMessage({ header: { version: 2013, phone: '013912345678', serial: 6 }, body: { msgId: 0x0200, ...loc() } });

  it('refuses a bad XOR', () => {
    const bad = Buffer.from(good);
    bad[bad.length - 2] ^= 0x01;
    expect(code(() => decodeMessage(bad))).toBe('jt808.bad_xor');
  });
  it('refuses bad escapes (7D followed by anything but 01/02, 7D at the end)', () => {
    expect(code(() => decodeFrame(hexBytes('7E 0002 7D03 00 013912345678 0001 33 7E')))).toBe('jt808.bad_escape');
    expect(code(() => decodeFrame(hexBytes('7E 0002 0000 013912345678 0001 7D 7E')))).toBe('jt808.bad_escape');
  });
  it('refuses missing delimiters and an unescaped 7E inside', () => {
    expect(code(() => decodeFrame(good.subarray(1)))).toBe('jt808.bad_delimiter');
    expect(code(() => decodeFrame(Buffer.concat([good.subarray(0, 5), Buffer.from([0x7e]), good.subarray(5)])))).toBe('jt808.bad_delimiter');
  });
  it('refuses wrong lengths: declared body length ≠ actual, truncated frames, short fields', () => {
    // drop one body byte and fix the XOR: the declared length no longer matches
    const raw = Buffer.from(good.subarray(1, -2));
    const cut = Buffer.concat([raw.subarray(0, raw.length - 1)]);
    let x = 0;
    for (const b of cut) x ^= b;
    const reframed = Buffer.concat([Buffer.from([0x7e]), cut, Buffer.from([x, 0x7e])]);
    expect(code(() => decodeFrame(reframed))).toBe('jt808.bad_length');
    expect(code(() => decodeFrame(hexBytes('7E 0002 0000 01 7E')))).toBe('jt808.too_short');
    // a location body that is too short for its fields (declared length correct)
    const short = encodeFrame({ msgId: 0x0200, version: 2013, phone: '013912345678', serial: 1 }, Buffer.alloc(10));
    expect(code(() => decodeMessage(short))).toBe('jt808.bad_field');
    // an extra item whose length runs past the body
    const overrun = encodeFrame({ msgId: 0x0200, version: 2013, phone: '013912345678', serial: 1 }, Buffer.concat([good.subarray(13, 13 + 28), Buffer.from([0x31, 5, 1])]));
    expect(code(() => decodeMessage(overrun))).toBe('jt808.bad_field');
    // a backfill announcing more items than it holds
    const batch = encodeMessage({ header: { version: 2013, phone: '013912345678', serial: 1 }, body: { msgId: 0x0704, backfill: true, items: [loc()] } });
    const { body } = decodeFrame(batch);
    body.writeUInt16BE(2, 0);
    expect(code(() => decodeMessage(encodeFrame({ msgId: 0x0704, version: 2013, phone: '013912345678', serial: 1 }, body)))).toBe('jt808.bad_field');
  });
  it('refuses unknown message ids and encrypted bodies', () => {
    expect(code(() => decodeMessage(encodeFrame({ msgId: 0x0999, version: 2013, phone: '013912345678', serial: 1 }, Buffer.alloc(0))))).toBe('jt808.unknown_id');
    const f = Buffer.from(encodeFrame({ msgId: 0x0002, version: 2013, phone: '013912345678', serial: 1 }, Buffer.alloc(0)));
    // set the RSA bit (props bit 10) and fix the XOR
    const raw = f.subarray(1, -1);
    raw[2] = 0x04;
    raw[raw.length - 1] = 0;
    let x = 0;
    for (let i = 0; i < raw.length - 1; i++) x ^= raw[i]!;
    raw[raw.length - 1] = x;
    expect(code(() => decodeFrame(f))).toBe('jt808.encrypted');
  });
  it('refuses coordinates and headings out of range', () => {
    const body = decodeFrame(good).body;
    body.writeUInt32BE(91e6, 8);
    expect(code(() => decodeMessage(encodeFrame({ msgId: 0x0200, version: 2013, phone: '013912345678', serial: 1 }, body)))).toBe('jt808.bad_field');
  });
});

describe('Jt808Splitter', () => {
  it('cuts a stream into frames across chunk boundaries and drops noise', () => {
    const a = encodeMessage({ header: { version: 2013, phone: '013912345678', serial: 1 }, body: { msgId: 0x0002 } });
    const b = encodeMessage({ header: { version: 2013, phone: '013912345678', serial: 2 }, body: { msgId: 0x0200, ...loc() } });
    const frames: Buffer[] = [];
    const s = new Jt808Splitter((f) => frames.push(f));
    const stream = Buffer.concat([Buffer.from('noise'), a, b]);
    for (let i = 0; i < stream.length; i += 3) s.push(stream.subarray(i, i + 3));
    expect(frames.map((f) => decodeMessage(f).header.serial)).toEqual([1, 2]);
    expect(s.stats).toEqual({ frames: 2, droppedBytes: 5, overlong: 0 });
  });
  it('keeps memory bounded on an endless frame and recovers', () => {
    const frames: Buffer[] = [];
    const s = new Jt808Splitter((f) => frames.push(f));
    s.push(Buffer.concat([Buffer.from([0x7e]), Buffer.alloc(10_000, 0x41), Buffer.from([0x7e])]));
    s.push(encodeMessage({ header: { version: 2013, phone: '013912345678', serial: 3 }, body: { msgId: 0x0002 } }));
    expect(s.stats.overlong).toBe(1);
    expect(frames.map((f) => decodeMessage(f).header.serial)).toEqual([3]);
  });
});
