import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeFrame, encodeMessage, Jt808Session, type Jt808Body, type Jt808Message, type TerminalRecord } from '../../src/bus/jt808/index.js';

const PHONE = '013912345678';
const OTHER = '013900000000';
const T = Date.UTC(2026, 8, 7, 0, 0, 0);
const TERMINALS: TerminalRecord[] = [
  { phone: PHONE, plate: '沪A12345', authCode: 'AUTH-1' },
  { phone: OTHER, plate: '沪B00001', authCode: 'AUTH-2' },
];
const loc = { alarm: 0, status: 3, lat: 31.2, lon: 121.4, altitudeM: 5, speedKmh: 30, heading: 90, time: T, extra: {} };

let serial = 0;
const frame = (body: Jt808Body, phone = PHONE): Buffer => encodeMessage({ header: { version: 2013, phone, serial: ++serial }, body } as Jt808Message);
const replies = (bufs: Buffer[]) => bufs.map((b) => decodeMessage(b).body);

function session(now = () => T, maxFramesPerSecond?: number) {
  return new Jt808Session({ lookup: (p) => TERMINALS.find((t) => t.phone === p), now, ...(maxFramesPerSecond ? { maxFramesPerSecond } : {}) });
}

describe('JT/T 808 terminal session', () => {
  it('registers, authenticates, then takes heartbeats, locations and a blind-area backfill for its own vehicle', () => {
    const s = session();
    const [reg] = s.push(frame({ msgId: 0x0100, province: 31, city: 115, maker: 'ABCDE', model: 'M1', terminalId: 'T1', plateColor: 2, plate: '沪A12345' }));
    expect(replies(reg!.replies)).toEqual([{ msgId: 0x8100, replySerial: serial, result: 0, authCode: 'AUTH-1' }]);
    const [auth] = s.push(frame({ msgId: 0x0102, code: 'AUTH-1' }));
    expect(replies(auth!.replies)[0]).toMatchObject({ msgId: 0x8001, replyId: 0x0102, result: 0 });
    expect(s.authenticated).toBe(true);
    // two frames in one TCP chunk, split anywhere
    const both = Buffer.concat([frame({ msgId: 0x0002 }), frame({ msgId: 0x0200, ...loc })]);
    const steps = [...s.push(both.subarray(0, 9)), ...s.push(both.subarray(9))];
    expect(steps.map((x) => replies(x.replies)[0])).toMatchObject([{ replyId: 0x0002, result: 0 }, { replyId: 0x0200, result: 0 }]);
    expect(steps[1]!.locations).toEqual([{ plate: '沪A12345', phone: PHONE, location: loc, backfill: false }]);
    const [batch] = s.push(frame({ msgId: 0x0704, backfill: true, items: [loc, { ...loc, time: T + 1000 }] }));
    expect(batch!.locations.map((l) => [l.backfill, l.location.time])).toEqual([
      [true, T],
      [true, T + 1000],
    ]);
    expect(s.counts).toMatchObject({ frames: 5, locations: 3 });
  });

  it('refuses a terminal that never authenticated, a wrong code, an unknown terminal and a wrong plate', () => {
    const s = session();
    const [loc1] = s.push(frame({ msgId: 0x0200, ...loc }));
    expect(loc1!.refused).toMatchObject({ code: 'jt808.not_authenticated' });
    expect(loc1!.locations).toEqual([]);
    expect(replies(loc1!.replies)[0]).toMatchObject({ msgId: 0x8001, result: 1 });
    expect(s.push(frame({ msgId: 0x0102, code: 'WRONG' }))[0]!.refused).toMatchObject({ code: 'jt808.auth_failed' });
    expect(s.push(frame({ msgId: 0x0102, code: 'X' }, '013999999999'))[0]!.refused).toMatchObject({ code: 'jt808.unknown_terminal' });
    const [reg] = s.push(frame({ msgId: 0x0100, province: 31, city: 115, maker: 'A', model: 'M', terminalId: 'T', plateColor: 2, plate: '沪C99999' }));
    expect(reg!.refused).toMatchObject({ code: 'jt808.wrong_vehicle', params: { expected: '沪A12345' } });
    expect(replies(reg!.replies)[0]).toMatchObject({ msgId: 0x8100, result: 2 });
    expect(s.authenticated).toBe(false);
    expect(s.counts).toMatchObject({ 'jt808.not_authenticated': 1, 'jt808.auth_failed': 1, 'jt808.unknown_terminal': 1, 'jt808.wrong_vehicle': 1 });
  });

  it('refuses a terminal reporting another vehicle’s number on its connection', () => {
    const s = session();
    s.push(frame({ msgId: 0x0102, code: 'AUTH-1' }));
    const [other] = s.push(frame({ msgId: 0x0200, ...loc }, OTHER));
    expect(other!.refused).toMatchObject({ code: 'jt808.wrong_terminal', params: { phone: PHONE, other: OTHER } });
    expect(other!.locations).toEqual([]);
  });

  it('answers bad frames it can read the header of, counts the rest, and keeps going', () => {
    const s = session();
    s.push(frame({ msgId: 0x0102, code: 'AUTH-1' }));
    const bad = Buffer.from(frame({ msgId: 0x0002 }));
    bad[bad.length - 2] ^= 0xff;
    expect(s.push(bad)[0]!.refused).toMatchObject({ code: 'jt808.bad_xor' });
    const [unknown] = s.push(encodeFrame({ msgId: 0x0f0f, version: 2013, phone: PHONE, serial: 77 }, Buffer.alloc(0)));
    expect(unknown!.refused).toMatchObject({ code: 'jt808.unknown_id' });
    expect(replies(unknown!.replies)[0]).toMatchObject({ replySerial: 77, replyId: 0x0f0f, result: 3 });
    expect(s.push(frame({ msgId: 0x0200, ...loc }))[0]!.locations).toHaveLength(1);
  });

  it('drops a flood of 1,000 frames a second beyond the limit and counts it', () => {
    let now = T;
    const s = session(() => now, 100);
    s.push(frame({ msgId: 0x0102, code: 'AUTH-1' }));
    const hb = frame({ msgId: 0x0002 });
    const flood = Buffer.concat(Array.from({ length: 1000 }, () => hb));
    const steps = s.push(flood);
    expect(steps).toHaveLength(1000);
    expect(steps.filter((x) => x.refused?.code === 'jt808.flood')).toHaveLength(901); // 100 a second, the auth was the first
    expect(s.counts['jt808.flood']).toBe(901);
    now += 1000;
    expect(s.push(hb)[0]!.refused).toBeNull();
  });
});
