import { createPublicKey } from 'node:crypto';
import { Keyring, type CredentialKind } from '@campus/protocol/credentials/index';
import type { Direction, ZoneKind } from '@campus/protocol/access/index';
import { FakeClock } from '@campus/testkit';
import { Curfews } from '../../src/access/calendar.js';
import { SchoolCalendar } from '../../src/school/calendar.js';
import { AccessEngine } from '../../src/access/engine.js';
import { Leaves } from '../../src/access/leaves.js';
import { DEFAULT_ZONE_ROLES, type Gate, type Zone } from '../../src/access/model.js';
import { Passback } from '../../src/access/passback.js';
import { Passes } from '../../src/access/passes.js';
import { People, type PersonInput } from '../../src/access/people.js';
import { SchoolTime } from '../../src/school/time.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { TrustedClock } from '../../src/core/clock.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/edge.js';
import { TestIssuer } from './helpers.js';

/**
 * The decision engine and its rule inputs without an edge: a real SQLite store in a temp
 * dir (the repositories read and write it as the edge does), the school's calendar in
 * Shanghai time, a fake clock, and an issuer whose key the engine trusts. Nothing
 * listens, no module starts.
 */
export function engineFixture() {
  const dir = tempDir('campus-engine-');
  const clock = new FakeClock('2026-09-07T07:10:00+08:00'); // a Monday
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir.path, file: 'edge.db', backupDir: 'backups', synchronous: 'normal', site: 'unit', clock: new TrustedClock({ mode: 'always', wallNow: clock.now }) });
  const time = new SchoolTime('Asia/Shanghai');
  const people = new People(store.db, clock.now, store.vault);
  const leaves = new Leaves(store.db, clock.now);
  const passes = new Passes(store.db, clock.now, store.vault);
  const passback = new Passback(store.db);
  const calendar = new SchoolCalendar(store.db, time);
  const curfews = new Curfews(store.db);
  people.load();
  leaves.load();
  passes.load();
  passback.load();
  calendar.load();
  curfews.load();

  const issuer = new TestIssuer('K1');
  const visitorIssuer = new TestIssuer('V1');
  const keyring = new Keyring([
    ['K1', createPublicKey(issuer.privateKey)],
    ['V1', createPublicKey(visitorIssuer.privateKey)],
  ]);
  const keyKinds = new Map<string, ReadonlySet<CredentialKind>>([['V1', new Set<CredentialKind>(['visitor', 'pickup'])]]);
  let fire = false;
  const engine = new AccessEngine({ keyring, keyKinds, people, leaves, passes, passback, calendar, curfews, fireAlarmActive: () => fire, clockToleranceMs: 0 });

  const zone = (id: string, no: number, kind: ZoneKind, antiPassback: Zone['antiPassback'], passbackResetHour = 3): Zone => ({
    id,
    no,
    name: id,
    kind,
    antiPassback,
    passbackResetHour,
    roles: new Set(DEFAULT_ZONE_ROLES[kind]),
  });
  const zones = { campus: zone('campus', 1, 'campus', 'strict'), dorm: zone('dorm-a', 2, 'dormitory', 'soft'), dormB: zone('dorm-b', 3, 'dormitory', 'off') };
  const gate = (id: string, no: number, z: Zone, directions: Direction[] = ['in', 'out']): Gate => ({ id, no, name: id, zone: z, directions: new Set(directions) });
  const gates = { east: gate('east', 1, zones.campus), exitOnly: gate('exit-only', 2, zones.campus, ['out']), dormDoor: gate('dorm-a-door', 3, zones.dorm), dormBDoor: gate('dorm-b-door', 4, zones.dormB) };

  const grade1 = people.ensureClass('初一', '1班');
  const person = (id: string, over: Partial<PersonInput> = {}) =>
    people.create({ id, name: `人${id.slice(-2)}`, roles: ['student'], classId: grade1.id, boarder: false, dormitoryZone: null, phone: null, active: true, cardVersion: 1, ...over });
  // 初一: gates open 07:00, late after 07:30, dismissal 16:30; lunch 12:00–13:00 for day students.
  calendar.replaceTimetables([{ gradeId: grade1.gradeId, weekday: null, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [{ start: '12:00', end: '13:00', mayLeave: 'day_students' }] }]);

  return {
    clock,
    store,
    time,
    people,
    leaves,
    passes,
    passback,
    calendar,
    curfews,
    engine,
    issuer,
    visitorIssuer,
    zones,
    gates,
    grade1,
    person,
    setFireAlarm(on: boolean) {
      fire = on;
    },
    /** The engine's decision at a school-local time ("2026-09-07T10:00"). */
    decide(text: string, g: Gate, direction: Direction, local?: string) {
      if (local) clock.set(`${local}+08:00`);
      return engine.decide(text, g, direction, clock.now());
    },
    close() {
      store.close();
      dir.remove();
    },
  };
}

export type EngineFixture = ReturnType<typeof engineFixture>;
