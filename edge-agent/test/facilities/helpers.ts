import { deflateSync, crc32 } from 'node:zlib';
import type { Cancel, TimeService } from '../../src/core/time.js';
import type { MeterReading } from '@campus/protocol/energy/index';
import { AlarmEngine } from '../../src/energy/alarms/alarm-engine.js';
import { AlarmRepo } from '../../src/energy/alarms/alarm-repo.js';
import { SafetyRules } from '../../src/energy/alarms/safety-rules.js';
import { RoomBookings } from '../../src/energy/calendar/bookings.js';
import { OperatingHours } from '../../src/energy/calendar/operating-hours.js';
import { EnergyConfigSchema } from '../../src/energy/config.js';
import { LiveReadings } from '../../src/energy/live.js';
import { Topology } from '../../src/energy/topology.js';
import type { Edge } from '../../src/edge.js';
import { FakeClock as TimerClock } from '@campus/testkit';
import { ADMIN, ApiClient, startTestEdge } from '../helpers/edge.js';
import type { EdgeConfigInput } from '../../src/edge-config.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
  every: number | null;
  cancelled: boolean;
}

/**
 * The edge's time service on fake time: it only moves when the test says so, and
 * advanceTo() runs every timer that falls due in time order (repeating ones again), so a
 * morning of rounds and SLA timers runs in milliseconds; repeating timers (the edge's
 * housekeeping) are coalesced over a long advance. The edge's wall clock reads it too.
 */
export class FakeTime implements TimeService {
  #t: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start: number) {
    this.#t = start;
  }

  readonly now = (): number => this.#t;

  #add(at: number, fn: () => void | Promise<void>, every: number | null): Cancel {
    const timer: Timer = { at, seq: this.#seq++, fn, every, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  at(at: number, fn: () => void | Promise<void>): Cancel {
    return this.#add(at, fn, null);
  }

  after(ms: number, fn: () => void | Promise<void>): Cancel {
    return this.#add(this.#t + Math.max(0, ms), fn, null);
  }

  every(ms: number, fn: () => void | Promise<void>): Cancel {
    return this.#add(this.#t + ms, fn, ms);
  }

  pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  async advanceTo(to: number): Promise<void> {
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.at <= to && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.#t = Math.max(this.#t, next.at);
      // A repeating timer runs at most twice per advance (like a box that slept through the gap), so fake days pass fast.
      if (next.every !== null) next.at = Math.max(this.#t + next.every, to);
      else next.cancelled = true;
      await next.fn();
    }
    this.#t = Math.max(this.#t, to);
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.#t + ms);
  }
}

/** ms of a wall time in China (UTC+8): cst('2026-09-07 07:05'). */
export function cst(local: string): number {
  return Date.parse(local.replace(' ', 'T') + ':00+08:00');
}

/** A real PNG (valid chunks and CRCs) of w×h grey pixels. */
export function makePng(w = 4, h = 4): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h, 0x80);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export const PASSWORD = 'facilities-pw-1';
export const USERS = {
  boss: ['facility'],
  inspector: ['staff'],
  elec: ['staff'],
  teacher: ['staff'],
  teacher2: ['staff'],
  aqua: ['contractor'],
  bolt: ['contractor'],
  guard: ['security'],
} as const;

export const ROTA: NonNullable<NonNullable<EdgeConfigInput['facilities']>['rota']> = [
  { category: 'electrical', building: 'teach', assignee: 'elec', days: 'school', from: '07:00', until: '18:00' },
  { category: 'plumbing', building: '*', assignee: 'aqua', kind: 'contractor' },
  { category: 'glazing', building: '*', assignee: 'bolt', kind: 'contractor' },
];

/** A real edge with the facilities domain on fake time, and a signed-in client per user. */
export async function startFacilitiesEdge(time: FakeTime, facilities: Partial<NonNullable<EdgeConfigInput['facilities']>> = {}, dataDir?: string) {
  const edge = await startTestEdge(
    {
      // An hourly clock check: fake days go by without thousands of periodic runs.
      clock: { trust: 'always', checkIntervalSeconds: 3600 },
      ...(dataDir ? { dataDir } : {}),
      facilities: { enabled: true, supervisors: ['boss'], rota: ROTA, ...facilities },
    } as Partial<EdgeConfigInput>,
    { wallNow: time.now, time, users: Object.entries(USERS).map(([username, roles]) => ({ username, password: PASSWORD, roles: [...roles] })) },
  );
  const clients = {} as Record<keyof typeof USERS | 'admin', ApiClient>;
  for (const name of [...Object.keys(USERS), 'admin'] as Array<keyof typeof USERS | 'admin'>) {
    const c = new ApiClient(edge.httpUrl);
    const r = await c.login(name, name === 'admin' ? ADMIN.password : PASSWORD);
    if (r.status !== 200) throw new Error(`login ${name}: ${r.status}`);
    clients[name] = c;
  }
  /** Sessions expire over fake days: every client signs in again. */
  const relogin = async () => {
    for (const [name, c] of Object.entries(clients)) {
      const r = await c.login(name, name === 'admin' ? ADMIN.password : PASSWORD);
      if (r.status !== 200) throw new Error(`login ${name}: ${r.status}`);
    }
  };
  return { edge, relogin, ...clients };
}

/** Uploads raw bytes as a photo. */
export async function uploadPhoto(c: ApiClient, bytes: Buffer, type = 'image/png'): Promise<{ status: number; json: any }> {
  const res = await fetch(c.base + '/api/facilities/photos', { method: 'POST', headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': type }, body: bytes });
  return { status: res.status, json: await res.json() };
}

/**
 * The energy domain's real alarm engine and safety rules for one teaching-building meter
 * (rated 63 A), appending to the edge's event log like the running energy module does;
 * `hold(seconds, amps)` feeds a reading every 5 s on the engine's own fake timer clock.
 */
export function overCurrentHarness(edge: Edge, start: number) {
  const config = EnergyConfigSchema.parse({
    enabled: true,
    buildings: [{ id: 'teach', name: '教学楼' }],
    buses: [{ id: 'bus-a', transport: { kind: 'tcp', host: '127.0.0.1' }, meters: [{ id: 'm-teach', name: '教学楼总表', unit: 1, model: 'eastron-sdm630', building: 'teach', ratedCurrentA: 63 }] }],
    alarms: { raiseAfterSeconds: 10, clearAfterSeconds: 30 },
  });
  const clock = new TimerClock(start);
  const topology = new Topology(config);
  const { calendar, time: zone } = edge.school;
  const hours = new OperatingHours(config.operatingHours, topology, calendar, new RoomBookings(edge.store.db, calendar, zone, () => clock.now()), zone);
  const alarms = new AlarmEngine({ repo: new AlarmRepo(edge.store.db), timers: clock, appendEvent: (e) => void edge.appendEvent(e), publish: () => undefined, restoreGraceMs: 0 });
  const live = new LiveReadings(topology);
  const rules = new SafetyRules(alarms, topology, config.alarms, hours, live);
  const hold = async (seconds: number, amps: number) => {
    const end = clock.now() + seconds * 1000;
    for (let at = clock.now(); at <= end; at += 5000) {
      await clock.advanceTo(at);
      const batch: MeterReading[] = [{ deviceId: 'm-teach', point: 'current_l1', unit: 'A', value: amps, quality: 'good', at }];
      live.update(batch);
      rules.onReadings(batch);
    }
  };
  return { hold, alarms };
}
