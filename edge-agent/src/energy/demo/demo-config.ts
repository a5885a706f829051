import type { CalendarEntryInput } from '../../school/calendar.js';
import type { EnergyConfigInput } from '../config.js';
import { SAFETY_DETECTOR_MAP } from './safety-detector-map.js';

/*
 * The demo campus's electrical layout as configuration: rooms, meters, relay boards and
 * schedules. Kept apart from the simulators (demo-energy.ts) so the edge can build its
 * configuration without loading them: the simulators run in the demo's device process.
 */

export interface Room {
  id: string;
  name: string;
  building: string;
  kind: 'classroom' | 'office' | 'lab' | 'library' | 'dorm';
  unit: number;
  model: string;
  baseLoadW: number;
  circuits: Array<{ kind: 'lighting' | 'ac' | 'fan' | 'socket' | 'projector'; name: string; share: number }>;
}

const CLASSROOM_CIRCUITS: Room['circuits'] = [
  { kind: 'lighting', name: '照明', share: 0.2 },
  { kind: 'ac', name: '空调', share: 0.55 },
  { kind: 'projector', name: '投影', share: 0.15 },
];

export const ROOMS: Room[] = [
  ...[101, 102, 201, 202].map((n, i) => ({ id: `t${n}`, name: `${n}教室`, building: 'teach', kind: 'classroom' as const, unit: 11 + i, model: 'eastron-sdm120', baseLoadW: 900 + i * 80, circuits: CLASSROOM_CIRCUITS })),
  { id: 'office1', name: '教师办公室', building: 'teach', kind: 'office', unit: 15, model: 'chint-ddsu666', baseLoadW: 700, circuits: [{ kind: 'lighting', name: '照明', share: 0.3 }, { kind: 'socket', name: '插座', share: 0.4 }] },
  { id: 'lab1', name: '物理实验室', building: 'lab', kind: 'lab', unit: 21, model: 'eastron-sdm120', baseLoadW: 1200, circuits: [{ kind: 'lighting', name: '照明', share: 0.25 }, { kind: 'socket', name: '实验台电源', share: 0.5 }] },
  { id: 'lab2', name: '化学实验室', building: 'lab', kind: 'lab', unit: 22, model: 'eastron-sdm120', baseLoadW: 1100, circuits: [{ kind: 'lighting', name: '照明', share: 0.25 }, { kind: 'fan', name: '通风', share: 0.45 }] },
  { id: 'reading', name: '阅览室', building: 'library', kind: 'library', unit: 23, model: 'chint-ddsu666', baseLoadW: 1500, circuits: [{ kind: 'lighting', name: '照明', share: 0.4 }, { kind: 'ac', name: '空调', share: 0.45 }] },
];

export function demoEnergyConfig(teachPort: number, campusPort: number): EnergyConfigInput {
  const fast = { fastMs: 5000, slowMs: 60_000 };
  const points = ['voltage', 'current', 'power_active_total', 'power_factor_total', 'frequency', 'energy_active_import_total'];
  const points3 = ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'current_l2', 'current_l3', 'power_active_total', 'power_factor_total', 'frequency', 'energy_active_import_total'];
  const room = (r: Room) => ({ id: `m-${r.id}`, name: `${r.name}电表`, unit: r.unit, model: r.model, building: r.building, room: r.id, points, intervals: fast, ratedCurrentA: 32 });
  const circuits: NonNullable<NonNullable<EnergyConfigInput>['circuits']> = [];
  const next = new Map<string, number>();
  for (const r of ROOMS) {
    const board = r.building === 'teach' ? 'relay-teach' : 'relay-campus';
    for (const c of r.circuits) {
      const ch = (next.get(board) ?? 0) + 1;
      next.set(board, ch);
      circuits.push({ id: `${r.id}-${c.kind}`, name: `${r.name}${c.name}`, building: r.building, room: r.id, kind: c.kind, relay: { board, channel: ch }, meter: `m-${r.id}` });
    }
  }
  return {
    enabled: true,
    buildings: [
      { id: 'teach', name: '教学楼' },
      { id: 'lab', name: '实验楼' },
      { id: 'library', name: '图书馆', hours: { school: [{ from: '07:30', until: '21:30' }], nonSchool: [{ from: '09:00', until: '17:00' }] } },
      { id: 'dorm', name: '学生宿舍', hours: 'always' },
      { id: 'canteen', name: '食堂', hours: { school: [{ from: '06:00', until: '20:00' }], nonSchool: [{ from: '06:30', until: '19:00' }] } },
    ],
    rooms: ROOMS.map((r) => ({ id: r.id, name: r.name, building: r.building, kind: r.kind })),
    maps: [SAFETY_DETECTOR_MAP],
    buses: [
      {
        id: 'teach-rs485',
        transport: { kind: 'rtu-over-tcp', host: '127.0.0.1', port: teachPort, lineBaudRate: 9600 },
        meters: [
          { id: 'm-teach-main', name: '教学楼总表', unit: 10, model: 'eastron-sdm630', building: 'teach', points: points3, intervals: fast, ratedCurrentA: 100 },
          ...ROOMS.filter((r) => r.building === 'teach').map(room),
        ],
        relays: [{ id: 'relay-teach', name: '教学楼继电器箱', unit: 1, channels: 16 }],
      },
      {
        id: 'campus-gateway',
        transport: { kind: 'tcp', host: '127.0.0.1', port: campusPort },
        meters: [
          ...ROOMS.filter((r) => r.building !== 'teach').map(room),
          { id: 'm-dorm-main', name: '宿舍总表', unit: 20, model: 'chint-dtsu666', building: 'dorm', intervals: fast },
          { id: 'm-canteen', name: '食堂总表', unit: 30, model: 'eastron-sdm630', building: 'canteen', points: points3, intervals: fast },
          { id: 'fd-teach', name: '教学楼配电箱火灾探测器', unit: 40, model: 'school-fire-detector', building: 'teach', detector: true, intervals: fast },
        ],
        relays: [{ id: 'relay-campus', name: '综合继电器箱', unit: 1, channels: 16 }],
      },
    ],
    circuits,
    schedules: [
      { id: 'morning-on', name: '上学日7:00开教室照明', cron: '0 7 * * *', days: 'school', action: 'on', target: { roomKinds: ['classroom'], circuitKinds: ['lighting'] } },
      {
        id: 'evening-off',
        name: '上学日18:30关闭教室照明和空调（晚自习教室除外）',
        cron: '30 18 * * *',
        days: 'school',
        action: 'off',
        target: { roomKinds: ['classroom'], circuitKinds: ['lighting', 'ac', 'projector'] },
        exceptBooked: true,
      },
      { id: 'night-off', name: '每晚22:00教学楼、实验楼全部断电', cron: '0 22 * * *', days: 'all', action: 'off', target: { buildings: ['teach', 'lab'] } },
    ],
    telemetry: { flushSeconds: 60 },
  };
}

/** The demo school's calendar for this year (seeded into the one school calendar when it is empty). */
export function demoSchoolCalendar(year = new Date().getFullYear()): CalendarEntryInput[] {
  return [
    { from: `${year}-01-01`, kind: 'holiday', name: '元旦' },
    { from: `${year}-05-01`, to: `${year}-05-05`, kind: 'holiday', name: '劳动节' },
    { from: `${year}-07-11`, to: `${year}-08-31`, kind: 'holiday', name: '暑假' },
    { from: `${year}-09-28`, kind: 'workday', name: '国庆调休' },
    { from: `${year}-10-01`, to: `${year}-10-07`, kind: 'holiday', name: '国庆节' },
    { from: `${year}-10-11`, kind: 'workday', name: '国庆调休' },
    { from: `${year}-06-23`, to: `${year}-06-25`, kind: 'exam', name: '期末考试' },
  ];
}
