import { z } from 'zod';
import { ANTI_PASSBACK_MODES, DIRECTIONS, PERSON_ROLES, PLACE_NO_MAX, ZONE_KINDS } from '@campus/protocol/access/index';
import { KID_RE } from '@campus/protocol/credentials/index';
import { QrReaderConfigSchema } from '@campus/device-drivers/qr/index';
import { ModbusCoilBusOptionsSchema, ModbusRelayBoardOptionsSchema, relayBusLine } from '@campus/device-drivers/turnstile/index';
import { findLineConflicts, type LineClaim } from '../modbus-lines/index.js';

/**
 * The `access` section of the edge config: time zone, keys, zones and gates, and the
 * hardware at each gate (readers, relay buses and boards). Zones and gates are config,
 * not database rows, because they are wired: a gate number means a turnstile on a relay
 * channel. Cross-references are checked here so a typo stops start-up with its key.
 */
const localId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (max 64)');
const placeNo = z.number().int().min(1).max(PLACE_NO_MAX);

const ZoneSchema = z.strictObject({
  id: localId.describe('Stable id, e.g. "campus" or "dorm-a"'),
  no: placeNo.describe('Number carried by visitor passes (1..16383)'),
  name: z.string().min(1).max(32).describe('Display name, e.g. 校园 or 宿舍A栋'),
  kind: z.enum(ZONE_KINDS),
  antiPassback: z.enum(ANTI_PASSBACK_MODES).default('off'),
  passbackResetHour: z.number().int().min(0).max(23).default(3).describe('Hour (school time) at which anti-passback state is forgotten'),
  roles: z.array(z.enum(PERSON_ROLES)).min(1).optional().describe('Roles that may enter with a card; default by kind: campus/building student, teacher, staff; dormitory student (boarders), staff'),
});

const PassSensorSchema = z.strictObject({
  board: localId.optional().describe('Board whose discrete inputs carry the sensor; default the turnstile’s board'),
  in: z.number().int().min(0).optional(),
  out: z.number().int().min(0).optional(),
  edge: z.enum(['rise', 'fall']).default('rise'),
  windowMs: z.number().int().min(500).max(120_000).default(10_000).describe('A scan without passage within this time is recorded as not passed'),
  pollMs: z.number().int().min(5).max(60_000).default(50),
});

const TurnstileSchema = z.strictObject({
  board: localId.describe('Relay board id'),
  in: z.number().int().min(0).describe('Relay channel wired to the IN unlock input'),
  out: z.number().int().min(0).describe('Relay channel wired to the OUT unlock input'),
  pulseMs: z.number().int().min(20).max(10_000).default(300),
  passSensor: PassSensorSchema.optional(),
});

const GateSchema = z.strictObject({
  id: localId,
  no: placeNo.describe('Number printed on the gate list and carried by visitor passes'),
  name: z.string().min(1).max(32),
  zone: localId.describe('Zone id'),
  directions: z.array(z.enum(DIRECTIONS)).min(1).default(['in', 'out']),
  turnstile: TurnstileSchema.optional(),
});

const ReaderSchema = QrReaderConfigSchema.extend({
  gate: localId,
  direction: z.enum(DIRECTIONS),
});

const RelayBusSchema = ModbusCoilBusOptionsSchema.extend({ id: localId });
const RelayBoardSchema = ModbusRelayBoardOptionsSchema.extend({ bus: localId.describe('Relay bus id') });

const FireAlarmInputSchema = z.strictObject({
  board: localId.describe('Relay board whose discrete input is wired to the fire panel'),
  input: z.number().int().min(0).describe('Discrete input number (from 0)'),
  activeWhen: z.enum(['closed', 'open']).default('closed').describe('closed: the fire panel closes the contact on alarm'),
  pollMs: z.number().int().min(5).max(60_000).default(200).describe('How often the input is read'),
});

export const AccessConfigSchema = z
  .strictObject({
    keysDir: z.string().min(1).default('keys').describe('Folder (relative to dataDir) of issuer public keys issuer-<kid>.pub; edges never hold the issuer’s private key.'),
    keyKinds: z
      .record(z.string().regex(KID_RE), z.array(z.enum(['card', 'visitor', 'pickup'])).min(1))
      .default({})
      .describe('Restrict what a key id may sign, e.g. {"C1": ["card"]}; keys not listed may sign every kind.'),
    visitorKeyId: z
      .string()
      .regex(KID_RE)
      .nullable()
      .default('V1')
      .describe('Key id of the edge’s own visitor/pickup pass key (created in keysDir on first start). It can sign only passes, never cards. null = no local passes.'),
    visitorPassIds: z
      .strictObject({
        first: z.number().int().min(1).max(2 ** 21 - 1).default(1_000_000).describe('First pass number of this edge'),
        last: z.number().int().min(1).max(2 ** 21 - 1).default(2 ** 21 - 1).describe('Last pass number of this edge'),
      })
      .prefault({})
      .describe('Pass numbers this edge gives out, apart from the cloud’s.'),
    maxVisitorPassDays: z.number().int().min(1).max(366).default(7).describe('Longest validity of a pass issued at the edge.'),
    clockToleranceMs: z.number().int().min(0).max(3_600_000).default(0).describe('Slack on pass windows for a slightly wrong clock.'),
    unidentifiedEventWindowMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(10_000)
      .describe('Refusals without an identity (garbage, forged QR) are recorded once per reader, reason and window, with a count.'),
    deviceOfflineAfterMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(3000)
      .describe('A reader or relay bus down this long is recorded offline (access.device event); shorter blips, such as a replug, are not.'),
    attendanceSweepSeconds: z.number().int().min(5).max(3600).default(60).describe('How often absences are checked after each grade’s late threshold.'),
    zones: z.array(ZoneSchema).default([]).describe('Zones: campus, dormitory, building.'),
    gates: z.array(GateSchema).default([]).describe('Gates, each in a zone, optionally with a turnstile on a relay board.'),
    readers: z.array(ReaderSchema).default([]).describe('QR readers: transport (serial path or TCP serial server), framing, feedback, gate and direction.'),
    relayBuses: z.array(RelayBusSchema).default([]).describe('Modbus links to relay boards (RTU, TCP, RTU over TCP). A link may be shared with other relay buses and with energy meter buses (one master, gate commands first); entries naming one line must agree on its baud rate, parity and framing.'),
    relayBoards: z.array(RelayBoardSchema).default([]).describe('Modbus relay boards on relay buses.'),
    fireAlarm: z
      .strictObject({
        input: FireAlarmInputSchema.optional().describe('Dry contact from the fire panel on a relay board input'),
        retryMs: z.number().int().min(100).max(60_000).default(1000).describe('How often a gate that did not confirm its hold is told again'),
      })
      .prefault({})
      .describe('Fire-alarm mode: every gate held open.'),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const unique = <T>(list: T[], key: (t: T) => string | number, what: string, section: string) => {
      const seen = new Set<string | number>();
      list.forEach((item, i) => {
        const k = key(item);
        if (seen.has(k)) issue([section, i], `duplicate ${what} ${String(k)}`);
        seen.add(k);
      });
    };
    unique(c.zones, (z) => z.id, 'zone id', 'zones');
    unique(c.zones, (z) => z.no, 'zone number', 'zones');
    unique(c.gates, (g) => g.id, 'gate id', 'gates');
    unique(c.gates, (g) => g.no, 'gate number', 'gates');
    unique(c.readers, (r) => r.id, 'reader id', 'readers');
    unique(c.relayBuses, (b) => b.id, 'relay bus id', 'relayBuses');
    unique(c.relayBoards, (b) => b.id, 'relay board id', 'relayBoards');
    const zones = new Set(c.zones.map((z) => z.id));
    const boards = new Map(c.relayBoards.map((b) => [b.id, b]));
    const buses = new Set(c.relayBuses.map((b) => b.id));
    const gates = new Map(c.gates.map((g) => [g.id, g]));
    c.gates.forEach((g, i) => {
      if (!zones.has(g.zone)) issue(['gates', i, 'zone'], `unknown zone ${g.zone}`);
      const t = g.turnstile;
      if (!t) return;
      const board = boards.get(t.board);
      if (!board) return issue(['gates', i, 'turnstile', 'board'], `unknown relay board ${t.board}`);
      const channels = board.channels ?? 8;
      for (const dir of ['in', 'out'] as const) {
        if (t[dir] >= channels) issue(['gates', i, 'turnstile', dir], `board ${t.board} has channels 0..${channels - 1}`);
      }
      if (t.passSensor?.board && !boards.has(t.passSensor.board)) issue(['gates', i, 'turnstile', 'passSensor', 'board'], `unknown relay board ${t.passSensor.board}`);
    });
    c.readers.forEach((r, i) => {
      const g = gates.get(r.gate);
      if (!g) issue(['readers', i, 'gate'], `unknown gate ${r.gate}`);
      else if (!g.directions.includes(r.direction)) issue(['readers', i, 'direction'], `gate ${r.gate} does not allow ${r.direction}`);
    });
    c.relayBoards.forEach((b, i) => {
      if (!buses.has(b.bus)) issue(['relayBoards', i, 'bus'], `unknown relay bus ${b.bus}`);
    });
    // Relay buses naming one line share its master; they must agree about the line.
    for (const conflict of findLineConflicts(accessLineClaims(c))) {
      issue(['relayBuses', Number(/\[(\d+)\]$/.exec(conflict.keys[1])![1]), 'link'], `${conflict.text['zh-CN']} / ${conflict.text.en}`);
    }
    if (c.fireAlarm.input && !boards.has(c.fireAlarm.input.board)) issue(['fireAlarm', 'input', 'board'], `unknown relay board ${c.fireAlarm.input.board}`);
    if (c.visitorPassIds.first > c.visitorPassIds.last) issue(['visitorPassIds'], 'first must not be above last');
    if (c.visitorKeyId && c.keyKinds[c.visitorKeyId]) issue(['keyKinds', c.visitorKeyId], 'the edge visitor key is restricted to passes already');
  });

/** The Modbus lines the relay buses put boards on, for conflict checks (here and against energy buses). */
export function accessLineClaims(c: Pick<z.output<typeof AccessConfigSchema>, 'relayBuses' | 'relayBoards'>): LineClaim[] {
  return c.relayBuses.map(({ id, ...options }, i) => ({
    key: `access.relayBuses[${i}]`,
    bus: { id, ...relayBusLine(options).bus },
    units: c.relayBoards.filter((b) => b.bus === id).map((b) => ({ unit: b.unitId })),
  }));
}

export type AccessConfig = z.output<typeof AccessConfigSchema>;
export type AccessConfigInput = z.input<typeof AccessConfigSchema>;
export type ZoneConfig = AccessConfig['zones'][number];
export type GateConfig = AccessConfig['gates'][number];
export type ReaderConfig = AccessConfig['readers'][number];
