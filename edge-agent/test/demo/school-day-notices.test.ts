import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startEdge, type Edge } from '../../src/edge.js';
import type { EdgeConfigInput } from '../../src/edge-config.js';
import { demoAccessConfig } from '../../src/access/demo-school.js';
import { SchoolTime, addDays } from '../../src/school/time.js';
import { DemoCampus } from '../../src/demo/campus.js';
import { DEMO_GUARDIANS, postDemoRoster, readDemoCloudLink } from '../../src/demo/cloud-roster.js';
import { startDemoDevices, type DemoDevicesHandle } from '../../src/demo/devices.js';
import { demoDayFacts, planSchoolDay, type DemoClock, type DemoScan } from '../../src/demo/school-day.js';
import { seedDemoSchool } from '../../src/access/demo-school.js';
import type { StoredEvent } from '../../src/store/index.js';
import { fakeClock, windowsAround, type FakeClock } from '../helpers/fake-clock.mjs';
import { startTestEdge, tempDir, waitFor } from '../helpers/edge.js';

/*
 * The demo's school day, played at 60× on a fake clock that every process shares (this
 * test and its edge in-process, the local cloud on PGlite as its own process with the
 * clock preloaded): a Friday and the Saturday after it, the clock racing (1200×) through
 * the stretches in which the plan has nothing to do. Each guardian of the demo then signs
 * in to the parent app's API and finds exactly the notices that day warrants.
 */

const CLOUD_BIN = fileURLToPath(new URL('../../../cloud-sync/dist/bin/campus-cloud.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../helpers/fake-clock-preload.mjs', import.meta.url));
const time = new SchoolTime('Asia/Shanghai');
const MIN = 60_000;

interface Notice {
  kind: string;
  studentKey: string;
  occurredAt: number;
  text: { 'zh-CN': string };
}

/** The demo school's plan for a date, from a throwaway edge seeded as the demo seeds itself. */
async function demoPlans(dates: string[]): Promise<Map<string, DemoScan[]>> {
  const ports = { readers: { 'east-in': 1, 'east-out': 1, 'dorm-in': 1, 'dorm-out': 1 }, relayBoard: 1 };
  const edge = await startTestEdge({ access: demoAccessConfig(ports) } as Partial<EdgeConfigInput>);
  try {
    seedDemoSchool(edge.access);
    return new Map(dates.map((d) => [d, planSchoolDay(demoDayFacts(edge.access, d))]));
  } finally {
    await edge.cleanup();
  }
}

function startCloud(dir: string, clock: FakeClock) {
  const linkFile = join(dir, 'cloud-link.json');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLOUD_BIN, 'start'], {
    env: {
      ...process.env,
      NODE_OPTIONS: `--import=${PRELOAD}`,
      CAMPUS_FAKE_CLOCK: JSON.stringify(clock.config),
      PORT: '0',
      HOST: '127.0.0.1',
      CAMPUS_CLOUD_DATA_DIR: join(dir, 'cloud'),
      CAMPUS_CLOUD_DEMO: '1',
      CAMPUS_CLOUD_DEMO_SITE: 'demo-day',
      CAMPUS_CLOUD_DEMO_FILE: linkFile,
    },
  });
  const codes = new Map<string, string>();
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    let nl: number;
    while ((nl = err.indexOf('\n')) >= 0) {
      const line = err.slice(0, nl);
      err = err.slice(nl + 1);
      try {
        const m = JSON.parse(line) as { phone?: string; code?: string; msg?: string };
        if (m.phone && m.code && m.msg?.startsWith('demo: parent sign-in code')) codes.set(m.phone, m.code);
      } catch {
        /* not a log line */
      }
    }
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`cloud exited ${code}: ${out}`)));
  });
  return {
    linkFile,
    ready,
    codes,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The notices of one guardian, through the parent app's own sign-in. */
async function parentNotices(cloudUrl: string, codes: Map<string, string>, phone: string): Promise<Notice[]> {
  codes.delete(phone);
  const otp = await fetch(`${cloudUrl}/api/parent/otp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) });
  expect(otp.status).toBe(202);
  const code = await waitFor(() => codes.get(phone), 10_000, 20);
  const session = await fetch(`${cloudUrl}/api/parent/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) });
  expect(session.status).toBe(201);
  const { token } = (await session.json()) as { token: string };
  const res = await fetch(`${cloudUrl}/api/parent/notices?limit=200`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { notices: Notice[] }).notices.sort((a, b) => a.occurredAt - b.occurredAt);
}

/** Granted passages through the campus gate, per person, in time order. */
function campusPassages(events: StoredEvent[]): Map<string, Array<{ at: number; direction: 'in' | 'out'; reason: string }>> {
  const out = new Map<string, Array<{ at: number; direction: 'in' | 'out'; reason: string }>>();
  for (const e of [...events].sort((a, b) => a.occurredAt - b.occurredAt)) {
    const d = e.data as { granted?: boolean; zoneKind?: string; direction?: 'in' | 'out' };
    if (!e.subject || !d.granted || d.zoneKind !== 'campus' || !d.direction) continue;
    (out.get(e.subject) ?? out.set(e.subject, []).get(e.subject)!).push({ at: e.occurredAt, direction: d.direction, reason: e.reason });
  }
  return out;
}

/** Real changes only: an entry after being out (or first seen), an exit after being in. */
function realChanges(passages: Array<{ at: number; direction: 'in' | 'out' }>): Array<{ at: number; kind: 'entry' | 'exit' }> {
  const out: Array<{ at: number; kind: 'entry' | 'exit' }> = [];
  let last: 'in' | 'out' | null = null;
  for (const p of passages) {
    if (p.direction !== last) out.push({ at: p.at, kind: p.direction === 'in' ? 'entry' : 'exit' });
    last = p.direction;
  }
  return out;
}

describe('the demo school day at 60×: each guardian gets the notices the day warrants', () => {
  const dir = tempDir('campus-demo-day-');
  let friday = '';
  let saturday = '';
  let plan: DemoScan[] = [];
  let clock: FakeClock;
  let cloud: ReturnType<typeof startCloud>;
  let devices: DemoDevicesHandle | null = null;
  let edge: Edge | null = null;
  let campus: DemoCampus | null = null;
  let decisions: StoredEvent[] = [];
  let playedFrom = 0;
  let lateEvents: StoredEvent[] = [];
  const notices = new Map<string, Notice[]>();

  beforeAll(async () => {
    // A Friday on which 王小明 (his father is a demo guardian) scans twice in the morning: the gate double-read case.
    const fridays = Array.from({ length: 8 }, (_, i) => addDays('2026-12-11', 7 * i));
    const plans = await demoPlans(fridays.flatMap((f) => [f, addDays(f, 1)]));
    friday = fridays.find((f) => plans.get(f)!.some((s) => s.why === 'repeat' && s.personId === '2026010101'))!;
    expect(friday).toBeDefined();
    saturday = addDays(friday, 1);
    plan = plans.get(friday)!;
    expect(plans.get(saturday)).toEqual([]);

    // 60× from 05:30 (set-up) to 06:05, around every planned scan, and for the reading after Saturday; 1200× between.
    const fakeStart = time.instant(friday, 5 * 60 + 30);
    const sunday = time.instant(addDays(saturday, 1), 0);
    const windows = windowsAround(plan.map((s) => s.at), 45_000, 30_000);
    clock = fakeClock({
      realStart: Date.now(),
      fakeStart,
      speed: 60,
      idleSpeed: 1200,
      windows: [[fakeStart, time.instant(friday, 6 * 60 + 5)], ...windows, [sunday, sunday + 180 * MIN]],
    });
    const demoClock: DemoClock = {
      now: clock.now,
      sleepUntil: (at, signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const t = setTimeout(done, clock.realDelayUntil(at));
          signal.addEventListener('abort', done);
        }),
    };

    devices = await startDemoDevices({ dataDir: dir.path, keysDir: 'keys', gates: true, energy: false });
    cloud = startCloud(dir.path, clock);
    await cloud.ready;
    edge = await startEdge(
      {
        dataDir: dir.path,
        site: { id: 'demo-day', name: '演示学校' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'auto' },
        endpoints: { enabled: false },
        demo: { enabled: true, eventIntervalMs: 60_000 },
        access: { ...demoAccessConfig(devices.gates!), attendanceSweepSeconds: 5 },
        cloud: { enabled: true, linkFile: cloud.linkFile },
      } as EdgeConfigInput,
      {
        logger: pino({ level: 'silent' }),
        wallNow: clock.now,
        clockProbe: async () => true,
        modules: (ctx) => [(campus = new DemoCampus(ctx, devices, { clock: demoClock }))],
      },
    );
    await postDemoRoster(readDemoCloudLink(cloud.linkFile));
    const theEdge = edge;
    // The cloud's guardians reach the edge before the first scan (06:15).
    await waitFor(() => theEdge.access.people.guardiansOf('2026010101').some((l) => l.guardianId === 'P0001'), 90_000, 100);
    // Set-up normally ends before the first scan (06:15); on a crowded machine it may end later, and what was
    // due before is not played: the checks below count what was planned after this moment.
    playedFrom = clock.now();

    // Play Friday and Saturday.
    await new Promise((r) => setTimeout(r, clock.realDelayUntil(sunday)));
    await campus!.day!.stop();
    decisions = theEdge.store.events.list({ typePrefix: 'access.decision', limit: 1000 });
    lateEvents = theEdge.store.events.list({ typePrefix: 'attendance.late', limit: 1000 });

    // Every event has reached the cloud and its notices are written (they stop changing).
    const link = readDemoCloudLink(cloud.linkFile);
    let last = '';
    await waitFor(
      async () => {
        const counts: number[] = [];
        for (const g of DEMO_GUARDIANS) {
          const n = await parentNotices(link.cloudUrl, cloud.codes, g.phone);
          notices.set(g.phone, n);
          counts.push(n.length);
        }
        const now = JSON.stringify(counts);
        const stable = now === last;
        last = now;
        return stable && counts.some((c) => c > 0);
      },
      90_000,
      3000,
    );
  }, 600_000);

  afterAll(async () => {
    await edge?.stop();
    await devices?.stop();
    await cloud?.stop();
    dir.remove();
  });

  it('plays the plan through the real readers: the morning rush, lunch, dismissal, the dormitory, the odd refusals', () => {
    const played = plan.filter((s) => s.at > playedFrom);
    const byWhy = (why: string) => played.filter((s) => s.why === why).length;
    expect(played.length).toBeGreaterThan(30);
    expect(campus!.day!.played).toBe(played.length);
    const granted = decisions.filter((e) => (e.data as { granted: boolean }).granted);
    const refused = decisions.filter((e) => !(e.data as { granted: boolean }).granted);
    // Refusals: the lost card, the foreign card, the used pass.
    // Every card and pass scan is a decision (a refusal of an unknown card may be folded into the one before);
    // line noise may read as a text the gate refuses, or as nothing.
    expect(decisions.length).toBeGreaterThanOrEqual(played.filter((s) => s.kind !== 'noise').length - 1);
    expect(decisions.length).toBeLessThanOrEqual(played.length);
    const expectedRefusals = [...(byWhy('lost-card') ? ['credential.revoked'] : []), ...(byWhy('visitor-again') ? ['access.pass_used'] : [])];
    expect(expectedRefusals.length).toBeGreaterThan(0);
    expect(refused.map((e) => e.reason)).toEqual(expect.arrayContaining(expectedRefusals));
    expect(granted.filter((e) => e.reason === 'access.granted.passback_soft').length).toBe(byWhy('repeat'));
    for (const e of decisions) {
      const local = time.local(e.occurredAt);
      expect(local.date, e.reason).toBe(friday);
      // Quiet night: nothing at any gate before 06:00 or after 22:00.
      expect(local.minute).toBeGreaterThanOrEqual(6 * 60);
      expect(local.minute).toBeLessThan(22 * 60);
    }
  });

  it('gives each guardian one 入校 per real entry and one 离校 per real exit of their child, with the late notice if late; none at night, none on Saturday', () => {
    const passages = campusPassages(decisions);
    for (const g of DEMO_GUARDIANS) {
      const mine = notices.get(g.phone)!;
      const changes = realChanges(passages.get(g.child) ?? []);
      const gates = mine.filter((n) => n.kind === 'entry' || n.kind === 'exit');
      // Every real change has its notice, at the time it happened.
      for (const c of changes) expect(gates.filter((n) => n.kind === c.kind && n.occurredAt === c.at), `${g.name} ${c.kind} ${time.format(c.at)}`).toHaveLength(1);
      // Late arrivals of the child are told once; nothing else is about anyone else's child.
      expect(mine.filter((n) => n.kind === 'late')).toHaveLength(lateEvents.filter((e) => e.subject === g.child).length);
      expect(mine.every((n) => n.studentKey === g.child)).toBe(true);
      for (const n of mine) {
        const local = time.local(n.occurredAt);
        expect(local.date, n.text['zh-CN']).toBe(friday);
        expect(local.minute).toBeGreaterThanOrEqual(6 * 60);
        expect(local.minute).toBeLessThan(22 * 60);
      }
    }
    // The day had something to tell: every guardian's child passed the campus gate (boarders go home on Friday).
    for (const g of DEMO_GUARDIANS) expect(realChanges(passages.get(g.child) ?? []).length, g.name).toBeGreaterThanOrEqual(1);
  });

  // The cloud folds same-direction repeats the gate marks as passback warnings (notice verdicts).
  it('gives no notice for a repeat the gate marked as a passback warning (exactly one per real change)', () => {
    const passages = campusPassages(decisions);
    for (const g of DEMO_GUARDIANS) {
      const changes = realChanges(passages.get(g.child) ?? []);
      const gates = notices.get(g.phone)!.filter((n) => n.kind === 'entry' || n.kind === 'exit');
      expect(gates.map((n) => `${n.kind}@${n.occurredAt}`), g.name).toEqual(changes.map((c) => `${c.kind}@${c.at}`));
    }
  });
});
