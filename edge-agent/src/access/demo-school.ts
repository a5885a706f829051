import type { AccessConfigInput } from './config.js';
import { importRosterTable } from './roster/import.js';
import { readRosterCsv } from './roster/read.js';
import type { AccessService } from './service.js';

/*
 * The demo campus's school on the edge's side: its people, timetable and curfews, and
 * the access configuration for the simulated gate hardware (which runs in the demo's
 * device process, see demo-gates.ts).
 */

/** Where the simulated gate hardware listens: one TCP serial server per reader, one Modbus TCP relay board. */
export interface DemoGatePorts {
  readers: Record<DemoReaderId, number>;
  relayBoard: number;
}

export const DEMO_READERS = ['east-in', 'east-out', 'dorm-in', 'dorm-out'] as const;
export type DemoReaderId = (typeof DEMO_READERS)[number];

/** Zones, gates, readers and the relay board of the demo campus, on the simulators' ports. */
export function demoAccessConfig(ports: DemoGatePorts): AccessConfigInput {
  const tcp = (id: DemoReaderId) => ({ kind: 'tcp' as const, host: '127.0.0.1', port: ports.readers[id] });
  return {
    zones: [
      { id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'soft' },
      { id: 'dorm-a', no: 2, name: '宿舍A栋', kind: 'dormitory', antiPassback: 'soft' },
    ],
    gates: [
      { id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'demo-board', in: 0, out: 1 } },
      { id: 'dorm-a-door', no: 2, name: '宿舍A栋门', zone: 'dorm-a', turnstile: { board: 'demo-board', in: 2, out: 3 } },
    ],
    readers: [
      { id: 'east-in', gate: 'east', direction: 'in', transport: tcp('east-in') },
      { id: 'east-out', gate: 'east', direction: 'out', transport: tcp('east-out') },
      { id: 'dorm-in', gate: 'dorm-a-door', direction: 'in', transport: tcp('dorm-in') },
      { id: 'dorm-out', gate: 'dorm-a-door', direction: 'out', transport: tcp('dorm-out') },
    ],
    relayBuses: [{ id: 'demo-relay', link: { kind: 'tcp', host: '127.0.0.1', port: ports.relayBoard } }],
    relayBoards: [{ id: 'demo-board', bus: 'demo-relay', unitId: 1, channels: 8, pulseMode: 'flash' }],
  };
}

export const DEMO_ROSTER = [
  '学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系',
  '2026010101,王小明,学生,初一,1班,否,,,',
  '2026010102,李小红,学生,初一,1班,是,宿舍A栋,,',
  '2026010103,张伟,学生,初一,1班,否,,,',
  '2026010104,刘洋,学生,初一,1班,是,宿舍A栋,,',
  '2026010105,陈静,学生,初一,1班,否,,,',
  '2026010201,赵磊,学生,初一,2班,否,,,',
  '2026010202,孙悦,学生,初一,2班,是,宿舍A栋,,',
  '2026010203,周杰,学生,初一,2班,否,,,',
  '2026010204,吴敏,学生,初一,2班,否,,,',
  'T0001,郑老师,教师,,,,,,',
  'S0001,钱师傅,职工,,,,,,',
  'P0001,王爸爸,家长,,,,,2026010101,父亲',
].join('\n');

/** A roster, a timetable and a curfew for the demo, the first time it starts; cards for everyone who passes gates, every time. */
export function seedDemoSchool(s: AccessService): void {
  if (s.people.size === 0) seedOnce(s);
  issueDemoCards(s);
}

/** Who carries a campus card in the demo: students, teachers and staff (guardians do not pass the gates). */
export function carriesDemoCard(p: { roles: readonly string[]; active: boolean }): boolean {
  return p.active && p.roles.some((r) => r === 'student' || r === 'teacher' || r === 'staff');
}

/**
 * The demo's card office has printed a card for everyone who passes the gates, and a
 * replacement for a lost one: registered as the card in hand, as the card CLI and the
 * panel's "register card" do. Returns how many were issued (0 once everyone has one).
 */
export function issueDemoCards(s: AccessService): number {
  let issued = 0;
  s.db.transaction(() => {
    for (const p of [...s.people.all()]) {
      if (!carriesDemoCard(p) || (p.cardVersion >= 1 && p.cardVersion >= p.minCardVersion)) continue;
      s.people.registerCard(p.id, Math.max(1, p.minCardVersion));
      issued++;
    }
  })();
  return issued;
}

function seedOnce(s: AccessService): void {
  importRosterTable(s.db, s.people, readRosterCsv(Buffer.from(DEMO_ROSTER)), { dormitories: s.dormitories() });
  const grade = s.people.gradeByName('初一');
  if (grade) {
    s.calendar.replaceTimetables([
      { gradeId: grade.id, weekday: null, entryStart: '07:00', lateAfter: '07:40', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [{ start: '11:50', end: '13:00', mayLeave: 'day_students' }] },
    ]);
  }
  s.curfews.replace([
    { zone: 'dorm-a', kind: 'curfew', start: '22:30', end: '06:00', days: 'all' },
    { zone: 'dorm-a', kind: 'closed', start: '08:00', end: '11:50', days: 'school_days' },
  ]);
  // 刘洋 lost his first card: version 1 is refused from now on, he carries version 2.
  s.people.registerCard('2026010104', 1);
  s.people.revokeCard('2026010104', '演示：卡片挂失');
}
