import mqtt, { type MqttClient } from 'mqtt';
import { defineMessages, OFFLINE, ONLINE, topics } from '@campus/protocol';
import type { EdgeContext } from '../edge.js';
import type { EdgeModule } from '../modules/module.js';
import { DemoGates, seedDemoSchool } from '../access/demo-gates.js';
import { issuePass } from '../access/issue-pass.js';
import { DemoSchoolPcs } from '../endpoints/demo-pcs.js';
import { DemoEnergy } from '../energy/demo/demo-energy.js';

export { DemoGates };

export const DEMO_ADMIN = { username: 'admin', password: 'campus-demo' };
export const DEMO_MQTT = {
  observer: { clientId: 'ops-console', password: 'demo-mqtt-observer', role: 'observer' as const, displayName: '值班电脑（只读）' },
  devices: [
    { clientId: 'gate-east-reader', password: 'demo-device-0001', role: 'device' as const, displayName: '东门闸机读头' },
    { clientId: 'dorm-a-reader', password: 'demo-device-0002', role: 'device' as const, displayName: '宿舍A栋读头' },
    { clientId: 'meter-teaching-1', password: 'demo-device-0003', role: 'device' as const, displayName: '教学楼1号电表' },
  ],
};

defineMessages({
  'reason.demo.heartbeat': { 'zh-CN': '{device} 心跳正常', en: '{device} heartbeat OK' },
});

const SCRIPT: Array<{ text: string }> = [
  { text: '东门闸机自检完成' },
  { text: '宿舍A栋读头已联机' },
  { text: '教学楼1号电表读数上报' },
  { text: '值班保安已签到' },
  { text: '后勤巡检：配电房温度正常' },
];

/** Who scans where: real signed cards through simulated readers (reader id, card). */
const GATE_SCRIPT: Array<(g: DemoGates, visitor: string | null) => [string, string | null]> = [
  (g) => ['east-in', g.card('2026010101')],
  (g) => ['east-in', g.card('2026010103')],
  (g) => ['dorm-out', g.card('2026010102')],
  (g) => ['east-in', g.card('T0001')],
  (g) => ['east-out', g.card('2026010103')],
  (g) => ['east-in', g.card('2026010104', 1)],
  (_g, visitor) => ['east-in', visitor],
  (g) => ['east-in', g.card('2026010201')],
  (g) => ['dorm-in', g.card('2026010202')],
  (_g, visitor) => ['east-in', visitor],
  (g) => ['east-in', g.card('2099000001')],
  (g) => ['east-out', g.card('S0001')],
];

/**
 * The demo campus: simulated devices that connect to the real broker over
 * loopback with their own credentials, report telemetry, and a scripted trickle
 * of events, so a newcomer sees live data in the panel and on MQTT. With demo
 * gates, students, a teacher and a visitor scan real signed QR codes through
 * simulated readers, and the gate view shows the live decisions.
 */
export class DemoCampus implements EdgeModule {
  readonly name = 'demo';
  private clients: MqttClient[] = [];
  private timers: NodeJS.Timeout[] = [];
  /** School PCs for the endpoint guard's pages (终端管控). */
  private pcs: DemoSchoolPcs | null = null;
  /** Simulated meters, relay boards and a fire detector (能耗), when the configuration has no energy buses. */
  private energy: DemoEnergy | null = null;
  private step = 0;
  private gateStep = 0;

  constructor(
    private readonly edge: EdgeContext,
    private readonly gates: DemoGates | null = null,
  ) {}

  async start(): Promise<void> {
    const port = this.edge.mqttPorts.port;
    for (const d of DEMO_MQTT.devices) {
      const c = mqtt.connect({
        host: '127.0.0.1',
        port,
        clientId: d.clientId,
        username: d.clientId,
        password: d.password,
        protocolVersion: 4,
        reconnectPeriod: 2000,
        will: { topic: topics.deviceState(d.clientId), payload: Buffer.from(OFFLINE), qos: 1, retain: true },
      });
      c.on('connect', () => c.publish(topics.deviceState(d.clientId), ONLINE, { qos: 1, retain: true }));
      c.on('error', (err) => this.edge.log.debug({ err: err.message, device: d.clientId }, 'demo device error'));
      this.clients.push(c);
    }
    this.timers.push(
      setInterval(() => {
        const c = this.clients[2];
        if (c?.connected) {
          const kw = 40 + Math.random() * 15;
          c.publish(topics.deviceTelemetry('meter-teaching-1', 'power'), JSON.stringify({ kw: Math.round(kw * 10) / 10, at: Date.now() }), { qos: 0 });
        }
      }, 2000),
      setInterval(() => {
        const s = SCRIPT[this.step++ % SCRIPT.length]!;
        this.edge.appendEvent({ type: 'demo.note', reason: 'demo.note', source: 'demo', data: { text: s.text } });
      }, this.edge.config.demo.eventIntervalMs),
    );
    if (this.gates) await this.startGates(this.gates);
    if (!this.edge.config.energy.enabled) {
      this.energy = await DemoEnergy.start();
      await this.edge.energy.startWith(this.energy.config);
    }
    if (this.edge.config.endpoints.enabled) {
      this.pcs = new DemoSchoolPcs({ port: this.edge.mqttPorts.port, mqttClients: this.edge.store.mqttClients, log: this.edge.log, intervalMs: this.edge.config.demo.eventIntervalMs });
      await this.pcs.start();
    }
  }

  private async startGates(gates: DemoGates): Promise<void> {
    const access = this.edge.access;
    seedDemoSchool(access);
    const now = this.edge.clock.now();
    const visitor = await issuePass(
      access,
      { kind: 'visitor', visitorName: '演示访客', phone: null, purpose: '参观校园', hostPersonId: 'T0001', validFrom: now, validUntil: now + 4 * 3600_000, oneUse: true, gates: ['east'], zones: [] },
      'demo',
    ).then(
      (p) => p.credential,
      (err: unknown) => {
        this.edge.log.warn({ err }, 'demo visitor pass not issued');
        return null;
      },
    );
    this.timers.push(
      setInterval(() => {
        const [reader, text] = GATE_SCRIPT[this.gateStep++ % GATE_SCRIPT.length]!(gates, visitor);
        (text ? gates.scan(reader, text) : gates.garbage(reader)).catch((err: unknown) => this.edge.log.debug({ err }, 'demo scan failed'));
      }, Math.max(1000, Math.round(this.edge.config.demo.eventIntervalMs * 0.7))),
    );
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
    await this.pcs?.stop();
    await this.gates?.stop();
    if (this.energy) {
      await this.edge.energy.stop();
      await this.energy.stop();
    }
  }
}
