import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiClient, tempDir, waitFor } from './helpers/edge.js';

const BIN = new URL('../dist/bin/campus-edge.js', import.meta.url).pathname;

function spawnDemo(dataDir: string, extraEnv: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, 'demo'], {
    env: {
      ...process.env,
      CAMPUS_EDGE__DATA_DIR: dataDir,
      CAMPUS_EDGE__HTTP__HOST: '127.0.0.1',
      CAMPUS_EDGE__HTTP__PORT: '0',
      CAMPUS_EDGE__MQTT__HOST: '127.0.0.1',
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

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('campus-edge daemon', () => {
  it('runs the demo campus devices in their own process, spoken to over loopback, and takes them down when killed', async () => {
    const d = tempDir();
    try {
      const child = spawnDemo(d.path);
      const [, url] = await waitForOutput(child, /面板 Panel:\s+(http:\/\/\S+)/);
      // Simulated gate readers, meters and PCs are not inside the edge: a device process and the local cloud are its children.
      const kids = childrenOf(child.pid!);
      const devices = kids.find((k) => k.cmdline.includes('devices-process.js'));
      const cloud = kids.find((k) => k.cmdline.includes('campus-cloud.js'));
      expect(devices, JSON.stringify(kids)).toBeDefined();
      expect(cloud, JSON.stringify(kids)).toBeDefined();

      const api = new ApiClient(url!);
      await api.login('admin', 'campus-demo');
      // The scripted scans reach the edge's real reader drivers, which decide and pulse the relay board.
      await waitFor(async () => (await api.req('GET', '/api/events?type=access.decision')).json.events.length >= 2, 20_000, 200);
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
  }, 90_000);


  it('starts the demo, prints how to reach it, backs up online, and shuts down cleanly on Ctrl-C', async () => {
    const d = tempDir();
    try {
      const child = spawnDemo(d.path);
      const [, url] = await waitForOutput(child, /面板 Panel:\s+(http:\/\/\S+)/);
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
