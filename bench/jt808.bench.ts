/**
 * JT/T 808 on one core, without sockets (issue 13): 2,000 authenticated terminal sessions,
 * each fed 0x0200 location frames in TCP-sized chunks; every frame is split, unescaped,
 * XOR-checked, decoded and answered with 0x8001: the codec and session part alone, reported
 * as jt808.session.decode. The whole path (TCP server at the cloud, PostgreSQL writes) is
 * `jt808.ingest` in jt808-ingest.bench.ts.
 */
import { report } from './lib.js';
import { encodeMessage, Jt808Session, type TerminalRecord } from '../protocol/src/bus/jt808/index.js';

const N = 2000;
const PER = 50;
const T = Date.UTC(2026, 8, 7);
const terminals: TerminalRecord[] = Array.from({ length: N }, (_, i) => ({ phone: String(13900000000 + i).padStart(12, '0'), plate: `沪A${String(i).padStart(5, '0')}`, authCode: `A${i}` }));
const byPhone = new Map(terminals.map((t) => [t.phone, t]));
let now = T;
const sessions = terminals.map((t) => {
  const s = new Jt808Session({ lookup: (p) => byPhone.get(p), now: () => now, maxFramesPerSecond: 1000 });
  s.push(encodeMessage({ header: { version: 2013, phone: t.phone, serial: 1 }, body: { msgId: 0x0102, code: t.authCode } }));
  return s;
});
const streams = terminals.map((t) =>
  Buffer.concat(
    Array.from({ length: PER }, (_, k) =>
      encodeMessage({
        header: { version: 2013, phone: t.phone, serial: k + 2 },
        body: { msgId: 0x0200, alarm: 0, status: 0x000c0003, lat: 31.2 + k * 1e-4, lon: 121.4, altitudeM: 10, speedKmh: 36, heading: 90, time: T + k * 1000, extra: { mileageKm: 1234.5, satellites: 14, signal: 25 } },
      }),
    ),
  ),
);
let locations = 0;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const s = sessions[i]!;
  const bytes = streams[i]!;
  for (let off = 0; off < bytes.length; off += 1460) for (const step of s.push(bytes.subarray(off, off + 1460))) locations += step.locations.length;
  now += 1;
}
const seconds = (performance.now() - t0) / 1000;
if (locations !== N * PER) throw new Error(`decoded ${locations} of ${N * PER}`);
report({ name: 'jt808.session.decode', metric: 'throughput', value: Math.round(locations / seconds), unit: 'reports/s', target: '>= 10000', notes: `${N} sessions × ${PER} frames, one core, no sockets; a reply encoded per frame` });
