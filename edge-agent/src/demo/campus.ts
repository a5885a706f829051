import type { EdgeContext } from '../edge.js';
import type { EdgeModule } from '../modules/module.js';
import { carriesDemoCard, seedDemoSchool } from '../access/demo-school.js';
import { storePhoto } from '../access/routes/people.js';
import { createPass } from '../access/issue-pass.js';
import { provisionDemoPcs } from '../endpoints/demo-pc-accounts.js';
import { EnergyConfigSchema } from '../energy/config.js';
import { demoEnergyConfig, demoSchoolCalendar } from '../energy/demo/demo-config.js';
import type { DemoDevicesHandle } from './devices.js';
import { demoDayFacts, planSchoolDay, realDemoClock, SchoolDayPlayer, type DemoClock, type DemoScan } from './school-day.js';

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

/** How the demo campus is driven: the school day's clock (the edge's own unless a test plays a day faster). */
export interface DemoCampusOptions {
  clock?: DemoClock;
}

/**
 * The demo campus on the edge's side: the school's roster with issued cards, timetable and
 * curfews, broker accounts for the simulated devices and PCs, the energy configuration of
 * the simulated meters, a scripted trickle of notes, and the school day played at the
 * simulated readers on the school's clock (school-day.ts). The simulated devices themselves
 * run in their own process (devices-process.ts) and reach the edge over loopback through
 * its real drivers and broker, so a newcomer sees live data in the panel and on MQTT, and
 * the edge's memory is what it would be on a real campus.
 */
export class DemoCampus implements EdgeModule {
  readonly name = 'demo';
  private timers: NodeJS.Timeout[] = [];
  private energyStarted = false;
  private step = 0;
  /** The school day at the gates; null without the demo's own gate hardware. */
  day: SchoolDayPlayer | null = null;
  /** The visitor pass of each school day, issued at the gate when the visitor arrives. */
  private readonly visitorPasses = new Map<string, string>();

  constructor(
    private readonly edge: EdgeContext,
    private readonly devices: DemoDevicesHandle | null,
    private readonly opts: DemoCampusOptions = {},
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
    if (devices.gates) {
      seedDemoSchool(this.edge.access);
      void this.takePhotos(devices);
    }
    if (devices.energy && !this.edge.config.energy.enabled) {
      this.edge.school.calendar.seed(demoSchoolCalendar());
      await this.edge.loadDomain('energy'); // off in the config: loaded now, started on the demo's buildings
      await this.edge.energy.startWith(EnergyConfigSchema.parse(demoEnergyConfig(devices.energy.teach, devices.energy.campus)));
      this.energyStarted = true;
    }
    devices.run({
      mqttPort: this.edge.mqttPorts.port,
      devices: DEMO_MQTT.devices.map((d) => ({ clientId: d.clientId, password: d.password })),
      pcs: this.edge.config.endpoints.enabled ? await provisionDemoPcs(this.edge.store.mqttClients) : null,
      intervalMs: this.edge.config.demo.eventIntervalMs,
    });
    if (devices.gates) this.startDay(devices);
  }

  /** Plays the demo school's day at the simulated readers, on the school's clock. */
  private startDay(devices: DemoDevicesHandle): void {
    const access = this.edge.access;
    const log = this.edge.log.child({ mod: 'demo' });
    const plans = new Map<string, DemoScan[]>();
    this.day = new SchoolDayPlayer({
      clock: this.opts.clock ?? realDemoClock(() => this.edge.clock.now()),
      dateOf: (at) => access.time.local(at).date,
      plan: (date) => {
        let plan = plans.get(date);
        if (!plan) {
          if (plans.size > 7) plans.clear();
          plan = planSchoolDay(demoDayFacts(access, date));
          plans.set(date, plan);
        }
        return plan;
      },
      perform: async (scan) => {
        if (scan.kind === 'noise') return devices.scan({ reader: scan.reader, noise: true });
        if (scan.kind === 'card') return devices.scan({ reader: scan.reader, card: { personId: scan.personId!, version: scan.cardVersion! } });
        const pass = this.visitorPass(scan);
        if (pass) devices.scan({ reader: scan.reader, text: pass });
      },
      onError: (err, scan) => log.warn({ err, why: scan.why, reader: scan.reader }, 'demo scan not played'),
    });
    const now = this.edge.clock.now();
    const next = this.day.next(now);
    log.info(
      { schoolTime: access.time.format(now), dayKind: access.calendar.dayKind(access.time.local(now).date), nextScan: next ? access.time.format(next.at) : null },
      'demo school day follows the school clock',
    );
    this.day.start();
  }

  /** Placeholder photos for everyone with a card who has none yet (the first start), stored as the panel stores an upload. */
  private async takePhotos(devices: DemoDevicesHandle): Promise<void> {
    const access = this.edge.access;
    const missing = [...access.people.all()].filter((p) => carriesDemoCard(p) && !p.hasPhoto).map((p) => ({ id: p.id, name: p.name }));
    try {
      for (const photo of await devices.photos(missing)) if (access.people.get(photo.id)) storePhoto(access, photo.id, photo.png, 'png');
    } catch (err) {
      this.edge.log.warn({ err }, 'demo photos not stored');
    }
  }

  /** The day's visitor gets a one-use pass at the gate on arrival; it is what they scan all day. */
  private visitorPass(scan: DemoScan): string | null {
    const access = this.edge.access;
    const date = access.time.local(scan.at).date;
    let pass = this.visitorPasses.get(date);
    if (!pass && scan.why === 'visitor-in') {
      this.visitorPasses.clear();
      const now = this.edge.clock.now();
      pass = createPass(
        access,
        { kind: 'visitor', visitorName: '演示访客', phone: null, purpose: '参观校园', hostPersonId: 'T0001', validFrom: now - 60_000, validUntil: now + 4 * 3600_000, oneUse: true, gates: ['east'], zones: [] },
        'demo',
      ).credential;
      this.visitorPasses.set(date, pass);
    }
    return pass ?? null;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.day?.stop();
    // MQTT devices leave while the broker is still up (a goodbye, not a last will); the simulated readers
    // and meters stay until the edge has closed its links to them (the daemon stops them after).
    await this.devices?.pause();
    if (this.energyStarted) await this.edge.energy.stop();
  }
}
