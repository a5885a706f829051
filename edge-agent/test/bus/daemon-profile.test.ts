import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { NmeaSimulator } from '@campus/device-drivers/gps/index';
import { ApiClient, tempDir, waitFor } from '../helpers/edge.js';
import { b64, TestIssuer } from '../access/helpers.js';

const BIN = new URL('../../dist/bin/campus-edge.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../../deploy/bus.example.yaml', import.meta.url).pathname;

/** Everything the child printed so far, and a wait for a pattern in it. */
function output(child: ChildProcessWithoutNullStreams) {
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return (re: RegExp): Promise<RegExpExecArray> =>
    waitFor(() => {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out}`);
      return re.exec(out);
    }, 20_000);
}

/** The built daemon, started as a bus box from the shipped example profile (paths pointed at socat ptys and temp dirs). */
describe('campus-edge start --config bus.yaml (child process)', () => {
  const d = tempDir('campus-bus-daemon-');
  let door: PtyPair | null = null;
  let gpsLine: PtyPair | null = null;
  let reader: QrReaderSimulator | null = null;
  let gps: NmeaSimulator | null = null;
  let child: ChildProcessWithoutNullStreams | null = null;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    await reader?.close();
    await gps?.close();
    await door?.close();
    await gpsLine?.close();
    d.remove();
  });

  it('runs the bus domain with the door reader and GPS, energy off, and stops cleanly', { timeout: 60_000 }, async () => {
    door = await openPtyPair({ name: 'door' });
    gpsLine = await openPtyPair({ name: 'gps' });
    const issuer = new TestIssuer('K1');
    issuer.install(join(d.path, 'data', 'keys'));
    const yaml = readFileSync(EXAMPLE, 'utf8')
      .replace('dataDir: /var/lib/campus-edge', `dataDir: ${join(d.path, 'data')}`)
      .replace(/host: 0\.0\.0\.0( .*)?\n {2}port: 8080/, 'host: 127.0.0.1\n  port: 0')
      .replace(/port: 1883/, 'port: 0')
      .replace('/dev/serial/by-id/usb-door-reader', door.a)
      .replace('/dev/serial/by-id/usb-u-blox_GNSS_receiver-if00', gpsLine.a)
      .replace('"7E 00 08 01 00 02 01 AB CD"', '"A1"')
      .replace('"7E 00 08 01 00 02 02 AB CD"', '"D0"');
    const file = join(d.path, 'bus.yaml');
    writeFileSync(file, yaml);
    child = spawn(process.execPath, [BIN, 'start', '--config', file], { env: { ...process.env, CAMPUS_EDGE__LOG__LEVEL: 'warn', CAMPUS_EDGE__CLOCK__TRUST: 'always' } });
    const seen = output(child);
    const [, url] = await seen(/面板 Panel:\s+(http:\/\/\S+)/);
    const [, password] = await seen(/First admin created: admin \/ (\S+)/);
    const api = new ApiClient(url!);
    expect((await api.login('admin', password!)).status).toBe(200);

    const csv = ['学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系,可接送', '2026010001,张三,学生,初一,1班,否,,,,'].join('\r\n');
    expect((await api.req('POST', '/api/access/roster/import', { fileName: 'roster.csv', contentBase64: b64(csv) })).status).toBe(200);
    const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await api.req('PUT', '/api/bus/assignments', { assignments: [{ personId: '2026010001', routeId: 'R1', stopId: 'S1', direction: 'morning', from: '2026-01-01' }] })).status).toBe(200);
    expect((await api.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'morning', date })).status).toBe(201);

    reader = QrReaderSimulator.overSerial({ path: door.b, baudRate: 9600 }, { suffix: 'CRLF' });
    gps = NmeaSimulator.overSerial({ path: gpsLine.b, baudRate: 9600 });
    await waitFor(() => reader!.connections === 1 && gps!.open, 5000);
    const t = Math.floor(Date.now() / 1000) * 1000;
    await gps.send({ time: t, lat: 31.2001, lon: 121.4002, speedKmh: 0 });
    const pos = await waitFor(async () => {
      const r = await api.req('GET', '/api/bus/position');
      return r.json.fix ? r.json : null;
    }, 10_000);
    expect(pos).toMatchObject({ atStop: 'S1', fix: { time: t } });

    await reader.scan(issuer.card('2026010001'));
    await waitFor(() => reader!.received().length > 0, 5000);
    expect(reader.received().toString('hex').toUpperCase()).toBe('A1');
    const trip = (await api.req('GET', '/api/bus/trips/current')).json.trip;
    expect(trip.onBoard.map((r: { personId: string }) => r.personId)).toEqual(['2026010001']);

    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health.checks).toMatchObject({ 'domain:bus': null, 'domain:access': null });
    expect('domain:energy' in health.checks).toBe(false);

    child.kill('SIGTERM');
    const code = await new Promise((r) => child!.once('exit', r));
    expect(code).toBe(0);
  });
});
