import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGpsReader, formatNoFix, NmeaSimulator, withChecksum, type GpsFix, type GpsReader } from '../../src/gps/index.js';
import { PtyPair } from '@campus/testkit';
import { eventually } from '../serial/helpers.js';

const HOME = { lat: 39.908823, lon: 116.39747 };

describe('GPS reader on a real serial line (socat pty pair)', () => {
  let pair: PtyPair;
  let reader: GpsReader | null = null;
  let sim: NmeaSimulator | null = null;
  const fixes: GpsFix[] = [];

  beforeEach(async () => {
    pair = await PtyPair.start();
    fixes.length = 0;
    reader = createGpsReader({ id: 'bus-gps', transport: { kind: 'serial', path: pair.a, baudRate: 9600 } });
    reader.on('fix', (f) => fixes.push(f));
    reader.open();
    sim = NmeaSimulator.overSerial({ path: pair.b, baudRate: 9600 });
    await eventually(() => reader!.transport.state === 'open' && sim!.open, 5000, 'both ends open');
  });
  afterEach(async () => {
    await reader?.close();
    await sim?.close();
    await pair.dispose();
  });

  it('reads 1 Hz bursts from GN and BD talkers into fixes', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    for (let i = 0; i < 3; i++) await sim!.send({ time: t0 + i * 1000, lat: HOME.lat + i * 0.0001, lon: HOME.lon, speedKmh: 30 }, i === 1 ? 'BD' : 'GN');
    await eventually(() => fixes.length === 3, 5000, 'three fixes');
    expect(fixes.map((f) => f.talker)).toEqual(['GN', 'BD', 'GN']);
    expect(fixes[2]!.lat).toBeCloseTo(HOME.lat + 0.0002, 5);
    expect(reader!.status()).toMatchObject({ stale: false, counts: { accepted: 3, bad_checksum: 0 } });
  });

  it('counts bad input and keeps reading: bad checksums, garbage, truncated and mixed lines, no fix, a jump, 1980', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await sim!.send({ time: t0, ...HOME });
    await eventually(() => fixes.length === 1, 5000, 'first fix');
    await sim!.write(withChecksum('GNGGA,000000.00,3954.52938,N,11623.84820,E,1,12,0.9,12.0,M,0.0,M,,').replace(/\*..$/, '*00') + '\r\n');
    await sim!.write(Buffer.from([0x00, 0xff, 0x13, 0x0d, 0x0a]));
    await sim!.write('$GNRMC,0000\r\n');
    await sim!.write('$GNGGA,1234$GNRMC,1234*55\r\n');
    await sim!.write(formatNoFix(t0 + 1000).map((s) => s + '\r\n').join(''));
    await sim!.send({ time: t0 + 2000, lat: HOME.lat + 0.45, lon: HOME.lon });
    await sim!.send({ time: Date.UTC(1980, 0, 6, 0, 0, 3), ...HOME });
    await sim!.send({ time: t0 + 4000, ...HOME, lat: HOME.lat + 0.0002 });
    await eventually(() => fixes.length === 2, 5000, 'the good fix after the bad ones');
    const c = reader!.status().counts;
    expect(c).toMatchObject({ accepted: 2, bad_checksum: 3, bad_frame: 1, no_fix: 1, jump: 1, bad_clock: 1 });
  });
});
