import mqtt, { type MqttClient } from 'mqtt';
import { OFFLINE, ONLINE, topics } from '@campus/protocol';
import { DemoGates } from '../access/demo-gates.js';
import { DemoSchoolPcs } from '../endpoints/demo-pcs.js';
import { DemoEnergy } from '../energy/demo/demo-energy.js';
import { avatarPng } from './avatar.js';
import type { FromDevices, RunDevices, ScanAtReader, StartDevices, ToDevices } from './devices-ipc.js';

/*
 * The demo campus's devices, in their own process (see devices-ipc.ts): started by the
 * edge with fork(), told what to start over IPC, and gone when the edge is.
 */

/** The MQTT devices' telemetry: the teaching building meter reports its power every 2 s. */
const TELEMETRY_DEVICE = 'meter-teaching-1';

class DemoDevices {
  gates: DemoGates | null = null;
  energy: DemoEnergy | null = null;
  pcs: DemoSchoolPcs | null = null;
  private readonly clients: MqttClient[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  async start(m: StartDevices): Promise<FromDevices> {
    if (m.gates) this.gates = await DemoGates.start({ dataDir: m.dataDir, keysDir: m.keysDir });
    if (m.energy) this.energy = await DemoEnergy.start();
    return { type: 'ready', gates: this.gates?.ports() ?? null, energy: this.energy?.ports ?? null };
  }

  run(m: RunDevices): void {
    for (const d of m.devices) {
      const c = mqtt.connect({
        host: '127.0.0.1',
        port: m.mqttPort,
        clientId: d.clientId,
        username: d.clientId,
        password: d.password,
        protocolVersion: 4,
        reconnectPeriod: 2000,
        will: { topic: topics.deviceState(d.clientId), payload: Buffer.from(OFFLINE), qos: 1, retain: true },
      });
      c.on('connect', () => c.publish(topics.deviceState(d.clientId), ONLINE, { qos: 1, retain: true }));
      c.on('error', () => undefined); // reconnects on its own; the edge shows the device offline meanwhile
      this.clients.push(c);
    }
    this.timers.push(
      setInterval(() => {
        const c = this.clients[m.devices.findIndex((d) => d.clientId === TELEMETRY_DEVICE)];
        if (c?.connected) {
          const kw = 40 + Math.random() * 15;
          c.publish(topics.deviceTelemetry(TELEMETRY_DEVICE, 'power'), JSON.stringify({ kw: Math.round(kw * 10) / 10, at: Date.now() }), { qos: 0 });
        }
      }, 2000),
    );
    if (m.pcs) {
      this.pcs = new DemoSchoolPcs({ port: m.mqttPort, passwords: m.pcs, intervalMs: m.intervalMs });
      this.pcs.start();
    }
  }

  /** One scan of the school day (the edge plays the plan): a signed card, a pass, or line noise. */
  async scan(m: ScanAtReader): Promise<void> {
    const gates = this.gates;
    if (!gates) return;
    if (m.noise) return gates.garbage(m.reader);
    const text = m.card ? gates.card(m.card.personId, m.card.version) : m.text;
    if (text) await gates.scan(m.reader, text);
  }

  /** Off the broker, scripts stopped; the simulated hardware stays up until the edge has closed its links. */
  async pause(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await Promise.all(this.clients.splice(0).map((c) => c.endAsync().catch(() => undefined)));
    await this.pcs?.stop();
    this.pcs = null;
  }

  async stop(): Promise<void> {
    await this.pause();
    await this.gates?.stop();
    await this.energy?.stop();
  }
}

const send = (m: FromDevices) => process.send?.(m);
const devices = new DemoDevices();
let stopping: Promise<void> | null = null;
const stop = () =>
  (stopping ??= devices
    .stop()
    .catch(() => undefined)
    .then(() => {
      if (process.connected) send({ type: 'stopped' });
      process.exit(0);
    }));

if (!process.send) {
  process.stderr.write('这是演示校园的设备进程，由 campus-edge demo 启动 / the demo campus device process is started by `campus-edge demo`\n');
  process.exit(2);
}
// Gone with the edge, however it ends (Ctrl-C, a crash, kill -9): the IPC channel closes.
process.on('disconnect', () => void stop());
process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the edge decides when we stop
process.on('message', (raw: ToDevices) => {
  switch (raw.type) {
    case 'start':
      devices.start(raw).then(send, (err: unknown) => send({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
      return;
    case 'run':
      devices.run(raw);
      return;
    case 'photos':
      void Promise.all(raw.people.map(async (p) => ({ id: p.id, pngBase64: (await avatarPng(p.id, p.name)).toString('base64') }))).then(
        (photos) => send({ type: 'photos', photos }),
        () => send({ type: 'photos', photos: [] }),
      );
      return;
    case 'scan':
      devices.scan(raw).catch(() => undefined); // a reader that is down: the edge shows it offline
      return;
    case 'pause':
      void devices.pause().then(() => send({ type: 'paused' }));
      return;
    case 'stop':
      void stop();
      return;
  }
});
