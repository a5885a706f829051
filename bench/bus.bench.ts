/**
 * School bus (issue 13), on the bus box:
 *  - bus.position.mb.per.day: a day of 1 Hz GPS fixes (8 h driving at 36 km/h with a
 *    corner a minute, 16 h parked) through the bus domain's position entry (the one the
 *    NMEA reader calls) into a real edge's SQLite; the database file's growth after a
 *    checkpoint, in MB (positions, their index and the few stop events).
 *  - bus.idle.rss: the built daemon started from deploy/bus.example.yaml as the systemd unit
 *    runs it (door reader and GPS on socat ptys, a route loaded), idle for 10 s, its VmRSS
 *    in MB; the same daemon and config with the bus off is reported as the baseline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { report } from './lib.js';
import { startEdge } from '../edge-agent/src/edge.js';
import type { BusDomain } from '../edge-agent/src/bus/domain.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-bus-'));
try {
  // ---- positions per day
  const edge = await startEdge(
    {
      dataDir: join(dir, 'a'),
      log: { level: 'silent' },
      http: { host: '127.0.0.1', port: 0, panelDir: join(dir, 'no-panel') },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      clock: { trust: 'always' },
      auth: { bootstrapAdmin: { username: 'admin', password: 'bench-admin-1' } },
      bus: {
        enabled: true,
        routes: [{ id: 'R1', name: '1号线', stops: [{ id: 'S1', name: 'a', lat: 31, lon: 121 }, { id: 'SCH', name: 'b', lat: 31.3, lon: 121, depot: true }] }],
      },
    } as never,
    { logger: pino({ level: 'silent' }) },
  );
  const svc = (edge.domains.get('bus') as BusDomain).service!;
  svc.openTrip('R1', 'morning', undefined, 'bench');
  const db = edge.store.db;
  const dbFile = db.name;
  const size = () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(dbFile).size;
  };
  const before = size();
  const T = Date.UTC(2026, 8, 7);
  let lat = 31;
  let course = 0;
  const t0 = performance.now();
  for (let s = 0; s < 86_400; s++) {
    const driving = s < 8 * 3600;
    if (driving) {
      lat += (10 / 111_000) * (s % 7200 < 3600 ? 1 : -1);
      if (s % 60 === 0) course = course === 0 ? 90 : 0;
    }
    svc.position({ time: T + s * 1000, lat, lon: 121, speedKmh: driving ? 36 : 0, course, quality: 1, satellites: 12, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: T + s * 1000 });
  }
  const cpuMs = performance.now() - t0;
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM bus_positions').get() as { n: number }).n;
  const after = size();
  await edge.stop();
  report({
    name: 'bus.position.mb.per.day',
    metric: 'storage',
    value: Number(((after - before) / 1048576).toFixed(2)),
    unit: 'MB',
    target: '<= 20',
    notes: `${rows} of 86400 fixes stored; ${(cpuMs / 86_400).toFixed(3)} ms per fix`,
  });

  // ---- idle RSS of the daemon as a bus box
  const pty = (name: string) => {
    const p = spawn('socat', [`pty,raw,echo=0,link=${join(dir, name + '-a')}`, `pty,raw,echo=0,link=${join(dir, name + '-b')}`], { stdio: 'ignore' });
    return p;
  };
  const door = pty('door');
  const gps = pty('gps');
  await new Promise((r) => setTimeout(r, 500));
  mkdirSync(join(dir, 'b'), { recursive: true });
  const yaml = readFileSync(new URL('../deploy/bus.example.yaml', import.meta.url), 'utf8')
    .replace('dataDir: /var/lib/campus-edge', `dataDir: ${join(dir, 'b')}`)
    .replace(/port: 8080/, 'port: 0')
    .replace(/port: 1883/, 'port: 0')
    .replace('/dev/serial/by-id/usb-door-reader', join(dir, 'door-a'))
    .replace('/dev/serial/by-id/usb-u-blox_GNSS_receiver-if00', join(dir, 'gps-a'));
  writeFileSync(join(dir, 'bus.yaml'), yaml);
  const bin = new URL('../edge-agent/dist/bin/campus-edge.js', import.meta.url).pathname;
  /** Starts the built daemon from a config, lets it idle 10 s, returns its VmRSS in MB. */
  async function idleRss(config: string, name: string): Promise<number> {
    writeFileSync(join(dir, name), config);
    const check = spawnSync(process.execPath, [bin, 'config', 'check', join(dir, name)], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(check.stderr);
    // As the systemd unit runs it (deploy/campus-edge.service, README "Memory").
    const child = spawn(process.execPath, ['--max-semi-space-size=2', bin, 'start', '--config', join(dir, name)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CAMPUS_EDGE__LOG__LEVEL: 'warn', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576', NODE_ENV: 'production' },
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 300 && !out.includes('Panel'); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 10_000));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return Number((rssKb / 1024).toFixed(1));
  }
  const withBus = await idleRss(yaml, 'bus.yaml');
  mkdirSync(join(dir, 'c'), { recursive: true });
  const withoutBus = await idleRss(yaml.replace(`dataDir: ${join(dir, 'b')}`, `dataDir: ${join(dir, 'c')}`).replace(/^bus:\n {2}enabled: true/m, 'bus:\n  enabled: false'), 'nobus.yaml');
  door.kill();
  gps.kill();
  report({
    name: 'bus.idle.rss',
    metric: 'memory',
    value: withBus,
    unit: 'MB',
    target: '<= 100',
    baseline: { name: 'the same daemon and config with bus.enabled: false', value: withoutBus, unit: 'MB' },
    notes: 'campus-edge start --config bus.yaml, idle 10 s (VmRSS)',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
