import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '@campus/protocol/bus/jt808/index';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { location, register, TestTerminal } from './jt808-terminal.js';

const T = Date.UTC(2026, 8, 7, 0, 30, 0);
const V1 = { phone: '13912345678', plate: '沪A12345' };
const V2 = { phone: '13987654321', plate: '沪B22222' };

/**
 * The cloud's JT/T 808 server over real TCP sockets, on PGlite: register → auth code →
 * authenticate → heartbeat, locations and blind-area batches stored under the vehicle
 * whose terminalPhone matches; refusals (never authenticated, another vehicle's number,
 * bad XOR, bad escapes, wrong lengths, unknown ids, a flood) answered or dropped and
 * counted while the connection and the server keep running.
 */
describe('JT/T 808 server at the cloud', () => {
  let cloud: TestCloud;
  let school: string;
  const open: TestTerminal[] = [];
  const connect = async (phone: string, version: 2013 | 2019 = 2013) => {
    const t = await TestTerminal.connect(cloud.bus.jt808!.port, phone, version);
    open.push(t);
    return t;
  };
  const stored = async (vehicleId: string) =>
    (await cloud.db.query<{ at: number; lat: number; lon: number; backfill: boolean; source: string }>('SELECT at, lat, lon, backfill, source FROM bus_positions WHERE school_id = $1 AND vehicle_id = $2 ORDER BY at', [school, vehicleId])).rows.map((r) => ({ ...r, at: Number(r.at) }));
  const signIn = async (phone: string, plate: string, version: 2013 | 2019 = 2013) => {
    const t = await connect(phone, version);
    const reg = await t.ask(register(plate));
    expect(reg).toMatchObject({ msgId: 0x8100, result: 0 });
    const auth = await t.ask({ msgId: 0x0102, code: (reg as { authCode: string }).authCode });
    expect(auth).toMatchObject({ msgId: 0x8001, replyId: 0x0102, result: 0 });
    return t;
  };

  beforeAll(async () => {
    cloud = await startTestCloud(pgliteBackend, { jt808: { port: 0, maxFramesPerSecond: 100 } });
    school = (await cloud.provisionEdge({ schoolName: '终端学校', site: 'jt808-a' })).schoolId;
    await cloud.records.write(school, [
      { kind: 'bus_vehicle', key: 'v1', data: { plate: V1.plate, seats: 40, terminalPhone: V1.phone } },
      { kind: 'bus_vehicle', key: 'v2', data: { plate: V2.plate, seats: 40, terminalPhone: V2.phone } },
      { kind: 'bus_vehicle', key: 'v3', data: { plate: '沪C33333', seats: 40, terminalPhone: '13900000003', active: false } },
    ]);
    await cloud.bus.terminals.reload();
  }, 120_000);
  afterAll(async () => {
    for (const t of open) t.close();
    await cloud?.dispose();
  });

  it('registers, authenticates and stores locations and a blind-area batch under the vehicle (2013 and 2019 headers)', async () => {
    const t = await signIn(V1.phone, V1.plate);
    expect(await t.ask({ msgId: 0x0002 })).toMatchObject({ msgId: 0x8001, replyId: 0x0002, result: 0 });
    expect(await t.ask(location(T, 31.2001, 121.4001))).toMatchObject({ replyId: 0x0200, result: 0 });
    expect(await t.ask({ msgId: 0x0704, backfill: true, items: [location(T - 3000), location(T - 2000), location(T - 1000)] })).toMatchObject({ replyId: 0x0704, result: 0 });
    // The same fix resent (the terminal missed the reply) is stored once.
    await t.ask(location(T, 31.2001, 121.4001));
    const t19 = await signIn('000000000' + V2.phone, V2.plate, 2019);
    await t19.ask(location(T + 1000, 31.3, 121.5));
    await cloud.bus.positions.flush();
    expect(await stored('v1')).toEqual([
      { at: T - 3000, lat: 31.2, lon: 121.4, backfill: true, source: 'jt808' },
      { at: T - 2000, lat: 31.2, lon: 121.4, backfill: true, source: 'jt808' },
      { at: T - 1000, lat: 31.2, lon: 121.4, backfill: true, source: 'jt808' },
      { at: T, lat: 31.2001, lon: 121.4001, backfill: false, source: 'jt808' },
    ]);
    expect(await stored('v2')).toEqual([{ at: T + 1000, lat: 31.3, lon: 121.5, backfill: false, source: 'jt808' }]);
    // Re-registration gives the same code; the code works on a new connection without registering.
    const again = await connect(V1.phone);
    const reg = (await again.ask(register(V1.plate))) as { authCode: string };
    expect(reg.authCode).toBe(cloud.bus.terminals.authCode(school, 'v1', V1.phone));
  });

  it('refuses unknown, inactive and never-authenticated terminals, wrong codes and plates, and another vehicle’s number', async () => {
    const before = { ...cloud.bus.jt808!.stats.refused };
    const delta = (code: string) => (cloud.bus.jt808!.stats.refused[code as 'jt808.flood'] ?? 0) - (before[code as 'jt808.flood'] ?? 0);
    const stranger = await connect('13999999999');
    expect(await stranger.ask(register('沪Z00000'))).toMatchObject({ msgId: 0x8100, result: 4 });
    expect(await stranger.ask({ msgId: 0x0102, code: 'guess' })).toMatchObject({ msgId: 0x8001, result: 1 });
    const inactive = await connect('13900000003');
    expect(await inactive.ask(register('沪C33333'))).toMatchObject({ msgId: 0x8100, result: 4 });
    const sneaky = await connect(V2.phone);
    expect(await sneaky.ask(location(T + 10_000))).toMatchObject({ msgId: 0x8001, replyId: 0x0200, result: 1 });
    expect(await sneaky.ask({ msgId: 0x0102, code: 'not-the-code' })).toMatchObject({ result: 1 });
    expect(await sneaky.ask(register('沪A12345'))).toMatchObject({ msgId: 0x8100, result: 2 });
    // v1's terminal, authenticated, reports under v2's number: refused, nothing stored for v2.
    const v1 = await signIn(V1.phone, V1.plate);
    expect(await v1.ask(location(T + 20_000), V2.phone)).toMatchObject({ msgId: 0x8001, result: 1 });
    expect(await v1.ask({ msgId: 0x0704, backfill: true, items: [location(T + 21_000)] }, V2.phone)).toMatchObject({ result: 1 });
    await cloud.bus.positions.flush();
    expect((await stored('v2')).map((p) => p.at)).toEqual([T + 1000]);
    expect((await stored('v1')).some((p) => p.at >= T + 10_000)).toBe(false);
    expect({ unknown: delta('jt808.unknown_terminal'), notAuth: delta('jt808.not_authenticated'), auth: delta('jt808.auth_failed'), vehicle: delta('jt808.wrong_vehicle'), other: delta('jt808.wrong_terminal') }).toEqual({
      unknown: 3,
      notAuth: 1,
      auth: 1,
      vehicle: 1,
      other: 2,
    });
    // v1 still reports under its own number on the same connection.
    expect(await v1.ask(location(T + 30_000))).toMatchObject({ result: 0 });
  });

  it('answers or drops bad frames with a count, keeping the connection and the server running', async () => {
    const t = await signIn(V1.phone, V1.plate);
    const stats = cloud.bus.jt808!.stats;
    const before = { ...stats.refused };
    const good = t.frame(location(T + 40_000));
    const badXor = Buffer.from(good);
    badXor[badXor.length - 2] ^= 0x55;
    const badEscape = Buffer.concat([good.subarray(0, 5), Buffer.from([0x7d, 0x03]), good.subarray(5)]);
    // A declared body length one more than the body carries.
    const raw = Buffer.from(t.frame({ msgId: 0x0002 }));
    const inner = Buffer.from(raw.subarray(1, raw.length - 1));
    inner.writeUInt16BE(inner.readUInt16BE(2) + 1, 2);
    let x = 0;
    for (let i = 0; i < inner.length - 1; i++) x ^= inner[i]!;
    inner[inner.length - 1] = x;
    const badLength = Buffer.concat([Buffer.from([0x7e]), inner, Buffer.from([0x7e])]);
    const unknownId = encodeMessage({ header: { version: 2013, phone: '0' + V1.phone, serial: 99 }, body: { msgId: 0x0002 } });
    unknownId[1] = 0x09; // 0x0902: no such message
    unknownId[unknownId.length - 2] ^= 0x09; // keep the XOR right
    const garbage = Buffer.from('GET / HTTP/1.1\r\n\r\n');
    const n = t.replies.length;
    t.send([badXor, badEscape, badLength, unknownId, garbage, t.frame(location(T + 41_000))]);
    const replies = await t.waitReplies(n + 2);
    await new Promise((r) => setTimeout(r, 200));
    // Unknown id: "unsupported" (3); the good frame after all of it: accepted. Bad XOR, escape and length: no trusted header to answer.
    expect(replies.slice(n)).toMatchObject([
      { msgId: 0x8001, replyId: 0x0902, result: 3 },
      { msgId: 0x8001, replyId: 0x0200, result: 0 },
    ]);
    const delta = (code: string) => (stats.refused[code as 'jt808.flood'] ?? 0) - (before[code as 'jt808.flood'] ?? 0);
    expect([delta('jt808.bad_xor'), delta('jt808.bad_escape'), delta('jt808.bad_length'), delta('jt808.unknown_id')]).toEqual([1, 1, 1, 1]);
    await cloud.bus.positions.flush();
    expect((await stored('v1')).map((p) => p.at)).toContain(T + 41_000);
    expect(t.closed).toBe(false);
    // An overlong run of bytes without a closing flag does not grow memory or stop the socket.
    t.send(Buffer.concat([Buffer.from([0x7e]), Buffer.alloc(5000, 0x31), Buffer.from([0x7e])]));
    expect(await t.ask({ msgId: 0x0002 })).toMatchObject({ result: 0 });
  });

  it('throttles a flood of 1,000 frames a second from one socket without starving another terminal', async () => {
    const flood = await signIn(V2.phone, V2.plate);
    const calm = await signIn(V1.phone, V1.plate);
    const stats = cloud.bus.jt808!.stats;
    const floodBefore = stats.refused['jt808.flood'] ?? 0;
    const frames = Array.from({ length: 1000 }, () => flood.frame({ msgId: 0x0002 }));
    let sent = 0;
    const pump = setInterval(() => {
      flood.send(frames.slice(sent, sent + 100));
      sent += 100;
      if (sent >= frames.length) clearInterval(pump);
    }, 100);
    const base = T + 60_000;
    for (let i = 0; i < 10; i++) {
      expect(await calm.ask(location(base + i * 1000, 31.25, 121.45))).toMatchObject({ replyId: 0x0200, result: 0 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => sent >= 1000, 'flood sent');
    await waitFor(() => stats.frames >= 0 && (stats.refused['jt808.flood'] ?? 0) - floodBefore > 0, 'flood counted');
    await cloud.bus.positions.flush();
    expect((await stored('v1')).filter((p) => p.at >= base).map((p) => p.at)).toEqual(Array.from({ length: 10 }, (_, i) => base + i * 1000));
    // At most 100 frames a second were answered; the rest dropped and counted. The flooding socket stays open.
    await new Promise((r) => setTimeout(r, 300));
    const dropped = (stats.refused['jt808.flood'] ?? 0) - floodBefore;
    const answered = flood.replies.length - 2;
    expect(dropped + answered).toBe(1000);
    expect(dropped).toBeGreaterThan(500);
    expect(flood.closed).toBe(false);
    // The server still takes new terminals.
    const late = await signIn(V1.phone, V1.plate);
    expect(await late.ask({ msgId: 0x0002 })).toMatchObject({ result: 0 });
  }, 30_000);

  it('closes a connection that never authenticates within the configured time', async () => {
    const quick = await startTestCloud(pgliteBackend, { jt808: { port: 0, authTimeoutMs: 300 } });
    try {
      const t = await TestTerminal.connect(quick.bus.jt808!.port, V1.phone);
      await waitFor(() => t.closed, 'closed');
      expect(quick.bus.jt808!.stats.closed.authTimeout).toBe(1);
    } finally {
      await quick.dispose();
    }
  }, 60_000);
});
