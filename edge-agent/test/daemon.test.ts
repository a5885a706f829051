import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiClient, tempDir, waitFor } from './helpers/edge.js';

const BIN = new URL('../dist/bin/campus-edge.js', import.meta.url).pathname;
const PRELOAD = new URL('./helpers/fake-clock-preload.mjs', import.meta.url).pathname;

function spawnDemo(dataDir: string, extraEnv: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, 'demo'], {
    env: {
      ...process.env,
      CAMPUS_EDGE__DATA_DIR: dataDir,
      CAMPUS_EDGE__HTTP__PORT: '0',
      CAMPUS_EDGE__MQTT__PORT: '0',
      CAMPUS_EDGE__MQTT__TLS__PORT: '0',
      CAMPUS_EDGE__LOG__LEVEL: 'warn',
      CAMPUS_DEMO_CLOUD_PORT: '0',
      ...extraEnv,
    },
  });
}

function waitForOutput(child: ChildProcessWithoutNullStreams, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${re}: ${out}`)));
  });
}

/** The processes a process started (Linux /proc). */
function childrenOf(pid: number): Array<{ pid: number; cmdline: string }> {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .map((p) => ({ pid: p, cmdline: existsSync(`/proc/${p}/cmdline`) ? readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ') : '' }));
}

/** Local addresses listening on a TCP port (IPv4 and IPv6, from /proc/net). */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [addr, p] = local!.split(':');
      if (state !== '0A' || parseInt(p!, 16) !== port) continue;
      if (v6) out.push(/^0+$/.test(addr!) ? '::' : addr === '00000000000000000000000001000000' ? '::1' : addr!);
      else out.push(addr!.match(/../g)!.reverse().map((h) => parseInt(h, 16)).join('.'));
    }
  }
  return out;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('campus-edge daemon', () => {
  it('runs the demo campus devices in their own process, spoken to over loopback, and takes them down when killed', async () => {
    const d = tempDir();
    try {
      // The demo follows the school's clock: all its processes run on a fake one, at 60× from 06:10 on a Wednesday (the morning rush follows).
      const fakeStart = Date.parse('2026-12-09T06:10:00+08:00');
      const clock = { realStart: Date.now(), fakeStart, speed: 60, idleSpeed: 60, windows: [] };
      // Clock trust 'never': Node's own HTTP Date header is real time, and the edge would take the cloud's word for the time.
      const child = spawnDemo(d.path, { NODE_OPTIONS: `--import=${PRELOAD}`, CAMPUS_FAKE_CLOCK: JSON.stringify(clock), CAMPUS_EDGE__CLOCK__TRUST: 'never' });
      const [, url] = await waitForOutput(child, /面板 Panel:\s+(http:\/\/\S+)/);
      // Simulated gate readers, meters and PCs are not inside the edge: a device process and the local cloud are its children.
      const kids = childrenOf(child.pid!);
      const devices = kids.find((k) => k.cmdline.includes('devices-process.js'));
      const cloud = kids.find((k) => k.cmdline.includes('campus-cloud.js'));
      expect(devices, JSON.stringify(kids)).toBeDefined();
      expect(cloud, JSON.stringify(kids)).toBeDefined();

      const api = new ApiClient(url!);
      await api.login('admin', 'campus-demo');
      // The morning's scans reach the edge's real reader drivers, which decide and pulse the relay board.
      await waitFor(async () => (await api.req('GET', '/api/events?type=access.decision')).json.events.length >= 2, 90_000, 500);
      // The cards were issued (人员与卡片 shows them) and attendance counts the school day.
      const people = (await api.req('GET', '/api/access/people?role=student&limit=100')).json.people as Array<{ cardVersion: number; minCardVersion: number }>;
      expect(people.length).toBe(9);
      expect(people.every((p) => p.cardVersion >= 1 && p.cardVersion >= p.minCardVersion)).toBe(true);
      const att = (await api.req('GET', '/api/access/attendance')).json as { dayKind: string; totals: { students: number } };
      expect(att).toMatchObject({ dayKind: 'school_day', totals: { students: 9 } });
      // Everyone with a card has a placeholder photo for the gate view.
      const photo = await waitFor(async () => {
        const r = await fetch(`${url}/api/access/people/2026010101/photo`, { headers: { cookie: api.cookie } });
        return r.status === 200 ? r : null;
      }, 20_000, 200);
      expect(photo.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await photo.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
      await waitFor(async () => {
        const live = (await api.req('GET', '/api/energy/live')).json as { buildings: Array<{ powerW: number | null }> };
        return live.buildings.some((b) => (b.powerW ?? 0) > 0);
      }, 20_000, 200);
      await waitFor(async () => {
        const agents = (await api.req('GET', '/api/endpoints/agents')).json.agents as Array<{ online: boolean }>;
        return agents.length === 2 && agents.every((a) => a.online);
      }, 20_000, 200);

      // However the edge ends, its demo processes end with it (here: kill -9, no chance to clean up).
      const exit = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exit;
      await waitFor(() => !alive(devices!.pid) && !alive(cloud!.pid), 15_000, 100);
    } finally {
      d.remove();
    }
  }, 240_000);


  it('starts the demo, prints how to reach it, backs up online, and shuts down cleanly on Ctrl-C', async () => {
    const d = tempDir();
    try {
      const child = spawnDemo(d.path);
      // Nothing in the config about hosts: the demo (with its published password) listens on loopback only.
      const [, url, mqttPort] = await waitForOutput(child, /面板 Panel:\s+(http:\/\/\S+)[\s\S]*MQTT:\s+mqtt:\/\/127\.0\.0\.1:(\d+)[\s\S]*仅本机可访问 Local only/);
      for (const port of [Number(new URL(url!).port), Number(mqttPort)]) expect(listeners(port), `port ${port}`).toEqual(['127.0.0.1']);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'campus-demo' }) });
      expect(login.status).toBe(200);

      const backup = join(d.path, 'online-backup.db');
      const b = spawnSync(process.execPath, [BIN, 'backup', backup], { env: { ...process.env, CAMPUS_EDGE__DATA_DIR: d.path }, encoding: 'utf8' });
      expect(b.stderr).toBe('');
      expect(b.status).toBe(0);
      const bdb = new Database(backup, { readonly: true });
      expect(bdb.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((bdb.prepare("SELECT count(*) n FROM events WHERE type = 'system.started'").get() as { n: number }).n).toBe(1);
      bdb.close();

      const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exit).toBe(0);
      const db = new Database(join(d.path, 'edge.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const last = db.prepare('SELECT type FROM events ORDER BY seq DESC LIMIT 1').get() as { type: string };
      expect(last.type).toBe('system.stopped');
      db.close();
    } finally {
      d.remove();
    }
  }, 60_000);

  it('says what to do when the panel port is taken', async () => {
    const d = tempDir();
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const child = spawnDemo(d.path, { CAMPUS_EDGE__HTTP__PORT: String(port) });
      let err = '';
      child.stderr.on('data', (x: Buffer) => (err += x.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(3);
      expect(err).toMatch(/端口已被占用/);
      expect(err).toMatch(/port already in use/);
    } finally {
      blocker.close();
      d.remove();
    }
  }, 60_000);

  it('refuses to start on a foreign database, leaving it untouched', async () => {
    const d = tempDir();
    try {
      const other = new Database(join(d.path, 'edge.db'));
      other.exec('CREATE TABLE canteen_menu (dish TEXT)');
      other.close();
      const r = spawnSync(process.execPath, [BIN, 'start'], { env: { ...process.env, CAMPUS_EDGE__DATA_DIR: d.path, CAMPUS_EDGE__HTTP__PORT: '0', CAMPUS_EDGE__MQTT__PORT: '0', CAMPUS_EDGE__MQTT__TLS__PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/其他程序/);
      const check = new Database(join(d.path, 'edge.db'), { readonly: true });
      expect(check.prepare("SELECT name FROM sqlite_master WHERE type='table'").all()).toEqual([{ name: 'canteen_menu' }]);
      check.close();
    } finally {
      d.remove();
    }
  }, 60_000);
});
