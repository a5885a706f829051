import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { burst, createGpsReader, GpsTracker, parseSentence, withChecksum, type GpsFix, type GpsReader } from '../../src/gps/index.js';
import { eventually } from '../serial/helpers.js';

describe('GPS reader behind a TCP serial server', () => {
  let server: Server | null = null;
  let reader: GpsReader | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    await reader?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('reads bursts split across TCP segments and reconnects after the converter drops the link', async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const fixes: GpsFix[] = [];
    reader = createGpsReader({ id: 'gps-tcp', transport: { kind: 'tcp', host: '127.0.0.1', port } });
    reader.on('fix', (f) => fixes.push(f));
    reader.open();
    await eventually(() => sockets.length === 1, 5000, 'connected');
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const text = burst({ time: t0, lat: 22.543096, lon: 114.057865 }, 'BD');
    for (let i = 0; i < text.length; i += 7) sockets[0]!.write(text.slice(i, i + 7));
    await eventually(() => fixes.length === 1, 5000, 'first fix');
    expect(fixes[0]!.lat).toBeCloseTo(22.543096, 5);
    sockets[0]!.destroy();
    await eventually(() => sockets.length === 2, 10_000, 'reconnected');
    sockets[1]!.write(burst({ time: t0 + 2000, lat: 22.5432, lon: 114.057865 }, 'GN'));
    await eventually(() => fixes.length === 2, 5000, 'fix after reconnect');
    expect(reader.status().counts.accepted).toBe(2);
  });
});

describe('NMEA parser and tracker under random input', () => {
  it('never throws, and only ever emits fixes with coordinates in range', () => {
    const fixes: GpsFix[] = [];
    const t = new GpsTracker({}, () => Date.now(), (f) => fixes.push(f), () => undefined);
    const line = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.array(fc.oneof(fc.constantFrom('$GNGGA', '$GPRMC', '$BDVTG', '', 'A', 'V', 'N', 'S', 'E', 'W', '*'), fc.double().map(String), fc.integer().map(String)), { maxLength: 16 }).map((f) => withChecksum(f.join(',').replace(/^\$/, ''))), // valid checksums: the fields themselves are what is random
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        for (const l of lines) {
          parseSentence(l);
          t.line(l);
        }
        t.flush();
      }),
      { numRuns: 2000 },
    );
    for (const f of fixes) {
      expect(Math.abs(f.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(f.lon)).toBeLessThanOrEqual(180);
    }
  });
});
