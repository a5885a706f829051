import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTask, validate } from 'node-cron';
import { Store } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { RoomBookings } from '../../src/energy/calendar/bookings.js';
import { OperatingHours } from '../../src/energy/calendar/operating-hours.js';
import { SchoolCalendar } from '../../src/school/calendar.js';
import { EnergyConfigSchema } from '../../src/energy/config.js';
import { CronError, nextFiring, parseCron } from '../../src/energy/schedules/cron.js';
import { SchoolTime } from '../../src/school/time.js';
import { Topology } from '../../src/energy/topology.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { shanghai as cst } from '@campus/testkit';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function db() {
  const d = tempDir('energy-cal-');
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: d.path, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'test', clock: new TrustedClock({ mode: 'always' }) });
  cleanups.push(() => d.remove(), () => store.close());
  return store.db;
}

const shanghai = new SchoolTime('Asia/Shanghai');

describe('cron over an injectable clock', () => {
  it('computes the next firing in the campus time zone', () => {
    const f = parseCron('30 18 * * 1-5');
    expect(nextFiring(f, shanghai, cst('2026-03-02 18:29'))).toBe(cst('2026-03-02 18:30'));
    expect(nextFiring(f, shanghai, cst('2026-03-02 18:30'))).toBe(cst('2026-03-03 18:30'));
    expect(nextFiring(f, shanghai, cst('2026-03-06 19:00'))).toBe(cst('2026-03-09 18:30')); // Friday evening → Monday
    expect(nextFiring(parseCron('0 7 1 * *'), shanghai, cst('2026-01-31 08:00'))).toBe(cst('2026-02-01 07:00'));
    expect(nextFiring(parseCron('0 12 29 2 *'), shanghai, cst('2026-03-01 00:00'))).toBe(cst('2028-02-29 12:00'));
    expect(() => parseCron('0 12 30 2 *')).toThrow(/impossible day/);
  });

  it('agrees with node-cron on every firing (property test against node-cron\'s own matcher)', () => {
    const minute = fc.constantFrom('*', '0', '30', '*/15', '5,35', '10-20/5');
    const hour = fc.constantFrom('*', '7', '18', '6-8', '*/6', '22');
    const dom = fc.constantFrom('*', '1', '15', '1-10', '31');
    const month = fc.constantFrom('*', '1', '2', '7-8', '*/3');
    const dow = fc.constantFrom('*', '1-5', '0,6', 'MON', '3', '7');
    fc.assert(
      fc.property(minute, hour, dom, month, dow, fc.integer({ min: cst('2026-01-01 00:00'), max: cst('2027-12-31 00:00') }), (mi, h, d, mo, w, from) => {
        const expr = `${mi} ${h} ${d} ${mo} ${w}`;
        if (!validate(expr)) {
          expect(() => parseCron(expr)).toThrow(CronError);
          return;
        }
        const next = nextFiring(parseCron(expr), shanghai, from);
        const task = createTask(expr, () => undefined, { timezone: 'Asia/Shanghai' });
        try {
          if (next === null) return;
          expect(task.match(new Date(next)), `${expr} at ${new Date(next).toISOString()}`).toBe(true);
          // Nothing in between: check every minute for up to two days before it.
          const startMinute = Math.floor(from / 60_000) + 1;
          for (let m = Math.max(startMinute, next / 60_000 - 2880); m < next / 60_000; m++) {
            expect(task.match(new Date(m * 60_000)), `${expr} also matches ${new Date(m * 60_000).toISOString()}`).toBe(false);
          }
        } finally {
          void task.destroy();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('explains a bad expression', () => {
    expect(() => parseCron('61 8 * * *')).toThrow(CronError);
    expect(() => parseCron('0 8 * *')).toThrow(/five fields/);
    expect(() => parseCron('0 0 8 L * *')).toThrow(/five fields/);
    expect(() => parseCron('0 8 L * *')).toThrow(/last-day/);
  });
});

describe('school calendar', () => {
  it('weekdays are school days unless a holiday covers them; a make-up workday or an exam day wins over a holiday', () => {
    const cal = new SchoolCalendar(db(), shanghai, [1, 2, 3, 4, 5]);
    cal.add({ from: '2026-10-01', to: '2026-10-07', kind: 'holiday', name: '国庆节' });
    cal.add({ from: '2026-09-27', kind: 'workday', name: '国庆调休' });
    cal.add({ from: '2026-10-10', kind: 'workday', name: '国庆调休' });
    cal.add({ from: '2026-10-07', kind: 'exam', name: '补考' });
    expect(cal.day('2026-09-25')).toMatchObject({ school: true, holiday: false, makeup: false, name: null }); // Friday
    expect(cal.day('2026-09-26')).toMatchObject({ school: false }); // Saturday
    expect(cal.day('2026-09-27')).toMatchObject({ school: true, makeup: true, name: '国庆调休' }); // Sunday worked
    expect(cal.day('2026-10-05')).toMatchObject({ school: false, holiday: true, name: '国庆节' }); // Monday off
    expect(cal.day('2026-10-07')).toMatchObject({ school: true, exam: true, holiday: false, name: '补考' });
    expect(cal.day('2026-10-10')).toMatchObject({ school: true, makeup: true }); // Saturday worked
    expect(cal.matches('non_school', '2026-10-05')).toBe(true);
    expect(cal.matches('exam', '2026-10-07')).toBe(true);
    expect(cal.days('2026-09-26', '2026-10-11').filter((d) => d.school).map((d) => d.date)).toEqual(['2026-09-27', '2026-09-28', '2026-09-29', '2026-09-30', '2026-10-07', '2026-10-08', '2026-10-09', '2026-10-10']);
  });

  it('seeds from the configuration only into an empty calendar, and edits invalidate its cache', () => {
    const d = db();
    const cal = new SchoolCalendar(d, shanghai, [1, 2, 3, 4, 5]);
    expect(cal.seed([{ from: '2026-05-01', to: '2026-05-05', kind: 'holiday', name: '劳动节' }])).toBe(1);
    expect(cal.seed([{ from: '2026-06-01', kind: 'holiday', name: 'x' }])).toBe(0);
    expect(cal.day('2026-05-04').holiday).toBe(true);
    const id = cal.list()[0]!.id;
    cal.update(id, { from: '2026-05-01', to: '2026-05-03', kind: 'holiday', name: '劳动节' });
    expect(cal.day('2026-05-04').school).toBe(true);
    expect(cal.remove(id)).toBe(true);
    expect(cal.day('2026-05-01').school).toBe(true);
  });
});

describe('operating hours and bookings', () => {
  it('a building is in use inside its hours for the kind of day, or while one of its rooms is booked', () => {
    const d = db();
    const config = EnergyConfigSchema.parse({
      buildings: [
        { id: 'teach', name: '教学楼' },
        { id: 'dorm', name: '宿舍', hours: 'always' },
        { id: 'office', name: '行政楼', hours: { school: [{ from: '08:00', until: '17:00' }], nonSchool: [{ from: '09:00', until: '12:00' }] } },
      ],
      rooms: [{ id: 'r101', name: '101', building: 'teach', kind: 'classroom' }],
      operatingHours: { school: [{ from: '07:00', until: '18:30' }], nonSchool: [], exam: [{ from: '06:30', until: '20:00' }] },
    });
    const cal = new SchoolCalendar(d, new SchoolTime('Asia/Shanghai'));
    cal.add({ from: '2026-03-04', kind: 'exam', name: '期中考试' });
    let now = cst('2026-03-02 10:00');
    const bookings = new RoomBookings(d, cal, shanghai, () => now);
    const hours = new OperatingHours(config.operatingHours, new Topology(config), cal, bookings, shanghai);
    expect(hours.buildingInHours('teach', cst('2026-03-02 18:29'))).toBe(true);
    expect(hours.buildingInHours('teach', cst('2026-03-02 18:30'))).toBe(false);
    expect(hours.buildingInHours('teach', cst('2026-03-07 10:00'))).toBe(false); // Saturday
    expect(hours.buildingInHours('teach', cst('2026-03-04 19:30'))).toBe(true); // exam day hours
    expect(hours.buildingInHours('dorm', cst('2026-03-07 03:00'))).toBe(true);
    expect(hours.buildingInHours('office', cst('2026-03-07 10:00'))).toBe(true);
    bookings.add({ room: 'r101', fromDate: '2026-03-01', toDate: '2026-03-31', days: 'school', fromTime: '18:30', untilTime: '21:30', note: '晚自习', createdBy: 'test' });
    hours.invalidate();
    now = cst('2026-03-02 19:00');
    expect(hours.buildingInHours('teach', cst('2026-03-02 19:00'))).toBe(true);
    expect(hours.roomInHours('r101', cst('2026-03-02 21:30'))).toBe(false);
    expect(hours.buildingInHours('teach', cst('2026-03-07 19:00'))).toBe(false); // booking is for school days only
    expect(bookings.bookedRooms(cst('2026-03-03 20:00'))).toEqual(new Set(['r101']));
  });
});
