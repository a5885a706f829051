import type { EdgeContext } from '../edge.js';
import type { EdgeModule } from '../modules/module.js';
import { seedDemoSchool } from '../access/demo-school.js';
import { createPass } from '../access/issue-pass.js';
import { provisionDemoPcs } from '../endpoints/demo-pc-accounts.js';
import { EnergyConfigSchema } from '../energy/config.js';
import { demoEnergyConfig, demoSchoolCalendar } from '../energy/demo/demo-config.js';
import type { DemoDevicesHandle } from './devices.js';

export const DEMO_ADMIN = { username: 'admin', password: 'campus-demo' };
export const DEMO_MQTT = {
  observer: { clientId: 'ops-console', password: 'demo-mqtt-observer', role: 'observer' as const, displayName: '值班电脑（只读）' },
  devices: [
    { clientId: 'gate-east-reader', password: 'demo-device-0001', role: 'device' as const, displayName: '东门闸机读头' },
    { clientId: 'dorm-a-reader', password: 'demo-device-0002', role: 'device' as const, displayName: '宿舍A栋读头' },
    { clientId: 'meter-teaching-1', password: 'demo-device-0003', role: 'device' as const, displayName: '教学楼1号电表' },
  ],
};

const SCRIPT: Array<{ text: string }> = [
  { text: '东门闸机自检完成' },
  { text: '宿舍A栋读头已联机' },
  { text: '教学楼1号电表读数上报' },
  { text: '值班保安已签到' },
  { text: '后勤巡检：配电房温度正常' },
];

/**
 * The demo campus on the edge's side: the school's roster, timetable and a visitor pass,
 * broker accounts for the simulated devices and PCs, the energy configuration of the
 * simulated meters, and a scripted trickle of notes. The simulated devices themselves
 * run in their own process (devices-process.ts) and reach the edge over loopback through
 * its real drivers and broker, so a newcomer sees live data in the panel and on MQTT, and
 * the edge's memory is what it would be on a real campus.
 */
export class DemoCampus implements EdgeModule {
  readonly name = 'demo';
  private timers: NodeJS.Timeout[] = [];
  private energyStarted = false;
  private step = 0;

  constructor(
    private readonly edge: EdgeContext,
    private readonly devices: DemoDevicesHandle | null,
  ) {}

  async start(): Promise<void> {
    this.timers.push(
      setInterval(() => {
        const s = SCRIPT[this.step++ % SCRIPT.length]!;
        this.edge.appendEvent({ type: 'demo.note', reason: 'demo.note', source: 'demo', data: { text: s.text } });
      }, this.edge.config.demo.eventIntervalMs),
    );
    const devices = this.devices;
    if (!devices) return;
    const visitor = devices.gates ? this.seedGates() : null;
    if (devices.energy && !this.edge.config.energy.enabled) {
      this.edge.school.calendar.seed(demoSchoolCalendar());
      await this.edge.energy.startWith(EnergyConfigSchema.parse(demoEnergyConfig(devices.energy.teach, devices.energy.campus)));
      this.energyStarted = true;
    }
    devices.run({
      mqttPort: this.edge.mqttPorts.port,
      devices: DEMO_MQTT.devices.map((d) => ({ clientId: d.clientId, password: d.password })),
      pcs: this.edge.config.endpoints.enabled ? await provisionDemoPcs(this.edge.store.mqttClients) : null,
      visitor,
      intervalMs: this.edge.config.demo.eventIntervalMs,
    });
  }

  /** The demo school's people and rules, and the visitor's one-use pass (its QR is scanned at the east gate). */
  private seedGates(): string | null {
    const access = this.edge.access;
    seedDemoSchool(access);
    const now = this.edge.clock.now();
    try {
      return createPass(
        access,
        { kind: 'visitor', visitorName: '演示访客', phone: null, purpose: '参观校园', hostPersonId: 'T0001', validFrom: now, validUntil: now + 4 * 3600_000, oneUse: true, gates: ['east'], zones: [] },
        'demo',
      ).credential;
    } catch (err) {
      this.edge.log.warn({ err }, 'demo visitor pass not issued');
      return null;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // MQTT devices leave while the broker is still up (a goodbye, not a last will); the simulated
    // readers and meters stay until the edge has closed its links to them (the daemon stops them after).
    await this.devices?.pause();
    if (this.energyStarted) await this.edge.energy.stop();
  }
}
