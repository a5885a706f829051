import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, shanghai as cst } from '@campus/testkit';
import { startSimCampus, type SimCampus } from '../energy/helpers/campus-sim.js';
import { energyServices } from '../energy/helpers/services.js';
import { GATES, TestIssuer, ZONES, seedSchool } from '../access/helpers.js';
import { ADMIN, ApiClient, startTestEdge, tempDir } from '../helpers/edge.js';

/**
 * One school calendar for the whole edge. A holiday entered on the panel's calendar
 * page (the energy calendar API, as the panel does) is a holiday for the gates and
 * attendance too: no absences that day (so no absence notices from the cloud, which
 * sends them only for absence events) and the lights follow the holiday schedule.
 * Before, two calendars disagreed: the lights stayed off but the attendance sweep
 * recorded every student absent.
 */
const MONDAY = '2026-09-07';
const TUESDAY = '2026-09-08';
let sim: SimCampus;
let edge: Awaited<ReturnType<typeof startTestEdge>>;
let admin: ApiClient;
const keys = tempDir('campus-keys-');
// One fake clock is the edge's wall time and the energy schedules' timers.
const clock = new FakeClock(cst(`${MONDAY} 05:00`));
const relay = () => sim.relay(10).states;

beforeAll(async () => {
  sim = await startSimCampus({ relays: [{ unit: 10, channels: 4 }] });
  new TestIssuer().install(keys.path);
  edge = await startTestEdge(
    {
      access: { zones: ZONES, gates: GATES, keysDir: keys.path },
      energy: {
        enabled: true,
        buildings: [{ id: 'teach', name: '教学楼' }],
        rooms: [{ id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' }],
        buses: [{ id: 'bus-a', transport: { kind: 'tcp', host: '127.0.0.1', port: sim.slave.port }, timeoutMs: 300, meters: [], relays: [{ id: 'relay-a', unit: 10, channels: 4 }] }],
        circuits: [{ id: 'c101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } }],
        schedules: [{ id: 'morning-on', name: '上学日7点开教室灯', cron: '0 7 * * *', days: 'school', action: 'on', target: { roomKinds: ['classroom'], circuitKinds: ['lighting'] } }],
        control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 3600, overrideDefaultMinutes: 60 },
      },
    },
    { wallNow: clock.now, energy: { timers: clock } },
  );
  admin = new ApiClient(edge.httpUrl);
  expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
  await seedSchool(admin);
}, 60_000);

afterAll(async () => {
  await edge?.cleanup();
  await sim?.close();
  keys.remove();
});

const absences = (date: string) =>
  edge.store.events
    .list({ limit: 1000, typePrefix: 'attendance.' })
    .filter((e) => (e.data as { status?: string; day?: string }).status === 'absent' && (e.data as { day?: string }).day === date);

describe('one school calendar for gates, attendance and energy', () => {
  it('a holiday entered on the panel’s calendar page: no absences that day, and the lights stay off', async () => {
    // The panel's calendar page writes through the energy calendar API.
    const added = await admin.req('POST', '/api/energy/calendar', { from: MONDAY, kind: 'holiday', name: '校庆放假' });
    expect(added.status).toBe(201);

    // The gate office's view of the same calendar agrees.
    const cal = await admin.req('GET', '/api/access/calendar');
    expect(cal.json.days).toContainEqual({ date: MONDAY, kind: 'holiday', name: '校庆放假', followsWeekday: null });

    // Monday 10:00, long after the 07:30 late threshold, nobody came: the sweep records no absence.
    await clock.advanceTo(cst(`${MONDAY} 10:00`));
    expect(edge.access.attendance.sweep(clock.now())).toBe(0);
    expect(absences(MONDAY)).toHaveLength(0);
    const day = await admin.req('GET', `/api/access/attendance?date=${MONDAY}`);
    expect(day.json.dayKind).toBe('holiday');
    // The 07:00 school-day schedule did not switch the classroom lights on.
    expect(relay()[0]).toBe(false);
    expect(energyServices(edge).circuits.log.list({ limit: 10 }).filter((e) => e.actor.id === 'morning-on')).toHaveLength(0);
  });

  it('the next (ordinary) day the same edge records absences and switches the lights on', async () => {
    await clock.advanceTo(cst(`${TUESDAY} 10:00`));
    expect(relay()[0]).toBe(true);
    expect(edge.access.attendance.sweep(clock.now())).toBeGreaterThan(0);
    expect(absences(TUESDAY).length).toBeGreaterThan(0);
  });

  it('a holiday set at the gate office reaches the energy schedules through the same calendar', async () => {
    // A day later: the morning's session has expired, sign in again.
    expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
    const r = await admin.req('PUT', '/api/access/calendar/days/2026-09-09', { kind: 'holiday', name: '临时停课' });
    expect(r.status).toBe(200);
    expect(energyServices(edge).calendar.day('2026-09-09')).toMatchObject({ school: false, holiday: true, name: '临时停课' });
    await clock.advanceTo(cst('2026-09-09 07:30'));
    expect(energyServices(edge).circuits.log.list({ limit: 50 }).filter((e) => e.actor.id === 'morning-on' && e.at >= cst('2026-09-09 00:00'))).toHaveLength(0);
  });
});
