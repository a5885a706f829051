import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DevicesReady, FromDevices, RunDevices, ScanAtReader, StartDevices, ToDevices } from './devices-ipc.js';

/** The demo's simulated devices, running in their own process (devices-process.ts). */
export interface DemoDevicesHandle extends Omit<DevicesReady, 'type'> {
  readonly pid: number;
  run(m: Omit<RunDevices, 'type'>): void;
  /** Placeholder photos (PNG) for these people; none if the device process is gone. */
  photos(people: Array<{ id: string; name: string }>): Promise<Array<{ id: string; png: Buffer }>>;
  /** One scan at a simulated reader (the school day's plan is played by the edge). */
  scan(m: Omit<ScanAtReader, 'type'>): void;
  /** Takes the MQTT devices and PCs off the broker and stops the scripts (before the edge stops). */
  pause(): Promise<void>;
  /** Disconnects the simulated devices and ends the process; safe to call twice. */
  stop(): Promise<void>;
}

/** The compiled entry (tests run the sources, the process always runs the build). */
export function devicesEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? here.replace(/\/src\/demo\/devices\.ts$/, '/dist/demo/devices-process.js') : here.replace(/devices\.js$/, 'devices-process.js');
}

export async function startDemoDevices(opts: Omit<StartDevices, 'type'>): Promise<DemoDevicesHandle> {
  const entry = devicesEntry();
  if (!existsSync(entry)) throw new Error(`演示设备程序未构建：请先运行 npm run build / the demo devices are not built: run npm run build (${entry})`);
  // No inherited flags (an inspector port, say); the same allocator settings through the environment.
  const child: ChildProcess = fork(entry, [], { execArgv: ['--max-semi-space-size=2'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  const send = (m: ToDevices) => {
    if (child.connected) child.send(m);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<DevicesReady>((resolve, reject) => {
    const onMessage = (m: FromDevices) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'failed') reject(new Error(`演示设备启动失败 / the demo devices failed to start: ${m.message}`));
    };
    child.on('message', onMessage);
    child.once('exit', (code, signal) => reject(new Error(`演示设备进程已退出 / the demo devices exited (${code ?? signal})`)));
    send({ type: 'start', ...opts });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid!,
    gates: ready.gates,
    energy: ready.energy,
    run: (m) => send({ type: 'run', ...m }),
    scan: (m) => send({ type: 'scan', ...m }),
    photos: (people) =>
      new Promise((resolve) => {
        if (!child.connected || people.length === 0) return resolve([]);
        const done = (photos: Array<{ id: string; png: Buffer }>) => {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(photos);
        };
        const onMessage = (m: FromDevices) => m.type === 'photos' && done(m.photos.map((p) => ({ id: p.id, png: Buffer.from(p.pngBase64, 'base64') })));
        const timer = setTimeout(() => done([]), 30_000);
        child.on('message', onMessage);
        send({ type: 'photos', people });
      }),
    pause: () =>
      new Promise<void>((resolve) => {
        if (!child.connected) return resolve();
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', done);
          resolve();
        };
        const onMessage = (m: FromDevices) => m.type === 'paused' && done();
        const timer = setTimeout(done, 3000);
        child.on('message', onMessage);
        child.once('exit', done);
        send({ type: 'pause' });
      }),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // Devices that do not finish disconnecting in 3 s are killed: the demo must not leave orphans.
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        send({ type: 'stop' });
        if (!child.connected) child.kill('SIGTERM');
        await exited;
        clearTimeout(force);
      })()),
  };
}
