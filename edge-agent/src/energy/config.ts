import { z } from 'zod';
import { ModbusBusConfigSchema, type ModbusBusConfigInput } from '@campus/device-drivers/modbus/index';
import { MeterDeviceConfigSchema, MeterMapSchema, type MeterDeviceConfigInput } from '@campus/device-drivers/meters/index';
import { RelayBoardConfigSchema, type RelayBoardConfigInput } from '@campus/device-drivers/relay/index';
import { ID_RE } from '@campus/protocol';
import { CIRCUIT_KINDS, ROOM_KINDS } from '@campus/protocol/energy/circuits';

/**
 * The `energy` section of the edge configuration: the campus topology (buildings,
 * rooms), the Modbus buses with their meters and relay boards, the circuits,
 * operating hours, tariff, first calendar and schedules, telemetry sizing and
 * alarm limits. Meter and relay entries are checked device by device when the
 * energy module starts (an unknown model or a register outside a map disables
 * that device only); this schema checks the structure.
 */
const id = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');
const name = z.string().trim().min(1).max(64);
export const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const hhmm = z.string().regex(HHMM_RE, 'time of day "HH:MM" (00:00–24:00)');
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const TimeWindowSchema = z
  .strictObject({ from: hhmm, until: hhmm })
  .refine((w) => w.from < w.until, 'a window must end after it starts (use two windows to cross midnight)');
export type TimeWindow = z.infer<typeof TimeWindowSchema>;

export const HoursSchema = z.strictObject({
  school: z.array(TimeWindowSchema).max(8).describe('Windows on school days (including make-up workdays).'),
  nonSchool: z.array(TimeWindowSchema).max(8).default([]).describe('Windows on weekends and holidays.'),
  exam: z.array(TimeWindowSchema).max(8).optional().describe('Windows on exam days; defaults to the school-day windows.'),
});
export type HoursSpec = z.infer<typeof HoursSchema>;

const BuildingSchema = z.strictObject({
  id,
  name,
  /** "always" for dormitories and the like; otherwise the campus operating hours apply. */
  hours: z.union([z.literal('always'), HoursSchema]).optional(),
  afterHoursPowerW: z.number().positive().optional(),
});

const RoomSchema = z.strictObject({ id, name, building: id, kind: z.enum(ROOM_KINDS).default('classroom') });

/**
 * A meter: the drivers' device config (unit, model, points, intervals) plus the edge's
 * fields. Strict like every config object: a typo such as "ratedCurentA" stops start-up
 * instead of silently switching the over-current alarm off.
 */
export const MeterEntrySchema = MeterDeviceConfigSchema.extend({
  id,
  name: name.optional(),
  unit: z.number().int().min(1).max(255),
  model: z.string().min(1),
  building: id,
  room: id.optional(),
  /** Rated current of the feeder, for the over-current alarm. */
  ratedCurrentA: z.number().positive().optional(),
  /** A safety detector (residual current, cable temperature) rather than a billing meter: not summed into energy. */
  detector: z.boolean().default(false),
});
export type MeterEntry = z.infer<typeof MeterEntrySchema>;

/** A relay board: the drivers' board config (unit, channels, profile, coilBase) plus a display name. */
export const RelayEntrySchema = RelayBoardConfigSchema.extend({ id, name: name.optional(), unit: z.number().int().min(1).max(255) });

/** A Modbus bus: the drivers' bus config (transport, timeouts, retries, reconnect) plus what is on it. */
export const BusEntrySchema = ModbusBusConfigSchema.extend({
  id,
  meters: z.array(MeterEntrySchema).default([]),
  relays: z.array(RelayEntrySchema).default([]),
});
export type BusEntry = z.infer<typeof BusEntrySchema>;

/** The Modbus lines the energy buses put meters and relay boxes on, for conflict checks against access relay buses. */
export function energyLineClaims(buses: readonly BusEntry[]): Array<{ key: string; bus: ModbusBusConfigInput; units: Array<{ unit: number }> }> {
  return buses.map((entry, i) => ({
    key: `energy.buses[${i}]`,
    bus: busConfigOf(entry),
    units: [...entry.meters, ...entry.relays].map((d) => ({ unit: d.unit })),
  }));
}

/** The drivers' part of a bus entry (what ModbusBusConfigSchema knows). */
export function busConfigOf(entry: BusEntry): ModbusBusConfigInput {
  const { meters: _meters, relays: _relays, ...bus } = entry;
  return bus;
}

/** The drivers' part of a meter entry (what MeterDeviceConfigSchema knows). */
export function meterDeviceOf(entry: MeterEntry): MeterDeviceConfigInput {
  const { name: _name, building: _building, room: _room, ratedCurrentA: _rated, detector: _detector, ...device } = entry;
  return device;
}

/** The drivers' part of a relay entry (what RelayBoardConfigSchema knows). */
export function relayBoardOf(entry: z.output<typeof RelayEntrySchema>): RelayBoardConfigInput {
  const { name: _name, ...board } = entry;
  return board;
}

const CircuitSchema = z.strictObject({
  id,
  name,
  building: id,
  room: id.optional(),
  kind: z.enum(CIRCUIT_KINDS),
  relay: z.strictObject({ board: id, channel: z.number().int().min(1).max(64) }),
  /** The meter measuring this circuit, if any (shown beside the switch). */
  meter: id.optional(),
});
export type CircuitEntry = z.infer<typeof CircuitSchema>;

export const TARIFF_TIERS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type TariffTier = (typeof TARIFF_TIERS)[number];

export const TariffSchema = z.strictObject({
  currency: z.string().min(1).max(8).default('CNY').describe('Currency of the prices.'),
  prices: z
    .strictObject({
      sharp: z.number().nonnegative().optional(),
      peak: z.number().nonnegative(),
      flat: z.number().nonnegative(),
      valley: z.number().nonnegative(),
    })
    .describe('Price per kWh of each tier: sharp (尖峰), peak (峰), flat (平), valley (谷).'),
  periods: z
    .array(
      z.strictObject({
        tier: z.enum(TARIFF_TIERS),
        from: hhmm,
        until: hhmm,
        months: z.array(z.number().int().min(1).max(12)).min(1).optional(),
      }),
    )
    .describe('Time-of-use periods; uncovered time is "flat". A period with months applies only in those months and wins over one without.'),
});
export type TariffConfig = z.infer<typeof TariffSchema>;



export const DAY_FILTERS = ['all', 'school', 'non_school', 'exam'] as const;
export type DayFilter = (typeof DAY_FILTERS)[number];

export const ScheduleTargetSchema = z
  .strictObject({
    buildings: z.array(id).max(200).optional(),
    rooms: z.array(id).max(2000).optional(),
    roomKinds: z.array(z.enum(ROOM_KINDS)).max(ROOM_KINDS.length).optional(),
    circuitKinds: z.array(z.enum(CIRCUIT_KINDS)).max(CIRCUIT_KINDS.length).optional(),
    circuits: z.array(id).max(2000).optional(),
  })
  .describe('Circuits matching every given filter (omitted filters match all).');
export type ScheduleTarget = z.infer<typeof ScheduleTargetSchema>;

export const ScheduleSchema = z.strictObject({
  id,
  name,
  /** Five-field cron in the campus time zone: minute hour day-of-month month day-of-week. */
  cron: z.string().min(9).max(100),
  days: z.enum(DAY_FILTERS).default('school'),
  action: z.enum(['on', 'off']),
  target: ScheduleTargetSchema,
  /** Leave circuits of rooms booked at that moment (evening study) alone. */
  exceptBooked: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type ScheduleInput = z.input<typeof ScheduleSchema>;
export type Schedule = z.infer<typeof ScheduleSchema>;

const point = z.number().nonnegative();

export const EnergyConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Run the energy module (meters, circuits, schedules, alarms).'),
    buildings: z.array(BuildingSchema).default([]).describe('Buildings: {id, name, hours?: "always" | {school, nonSchool, exam?}, afterHoursPowerW?}.'),
    rooms: z.array(RoomSchema).default([]).describe('Rooms: {id, name, building, kind: classroom|office|lab|library|dorm|canteen|hall|other}.'),
    buses: z
      .array(BusEntrySchema)
      .prefault([])
      .describe(
        'Modbus buses: {id, transport: {kind: rtu|tcp|rtu-over-tcp, ...}, timeoutMs?, retries?, ..., meters: [{id, unit, model, building, room?, name?, ratedCurrentA?, detector?, points?, intervals?}], relays: [{id, unit, channels?, profile?: waveshare|generic-coils, name?}]}. Entries here or in access.relayBuses that name one physical line (serial path, or host:port) share one master and queue; they must agree on baud rate, parity and framing, and use different unit addresses, else the later one is refused. See firmware-notes/rs485-meters-and-relays.md.',
      ),
    maps: z.array(MeterMapSchema).prefault([]).describe('The school\'s own register maps (same JSON form as device-drivers/meter-maps), e.g. for safety detectors.'),
    circuits: z.array(CircuitSchema).default([]).describe('Switched circuits: {id, name, building, room?, kind: lighting|ac|fan|socket|projector|other, relay: {board, channel}, meter?}.'),
    operatingHours: HoursSchema.default({ school: [{ from: '07:00', until: '18:30' }], nonSchool: [] }).describe(
      'When buildings are in use; energy outside these hours (and outside room bookings) counts as after-hours waste.',
    ),
    tariff: TariffSchema.default({
      currency: 'CNY',
      prices: { peak: 1.0, flat: 0.65, valley: 0.35 },
      periods: [
        { tier: 'peak', from: '08:00', until: '11:00' },
        { tier: 'peak', from: '18:00', until: '21:00' },
        { tier: 'valley', from: '00:00', until: '06:00' },
        { tier: 'valley', from: '22:00', until: '24:00' },
      ],
    }).describe('Electricity tariff with time-of-use (峰谷) periods, used to cost reports.'),
    schedules: z.array(ScheduleSchema).default([]).describe('Schedules imported on first start (later edited in the panel): {id, name, cron, days: all|school|non_school|exam, action: on|off, target, exceptBooked}.'),
    control: z
      .strictObject({
        retries: z.number().int().min(0).max(5).default(2).describe('Extra attempts when the read-back contradicts a command.'),
        retryDelayMs: z.number().int().min(0).max(10_000).default(300).describe('Pause before re-sending a contradicted command.'),
        stateReadSeconds: z.number().int().min(1).max(3600).default(10).describe('How often relay boards are read to notice changes made on site.'),
        overrideDefaultMinutes: z.number().int().min(0).max(7 * 24 * 60).default(120).describe('How long a manual switch keeps schedules off a circuit unless the request says otherwise.'),
      })
      .prefault({})
      .describe('Switching circuits.'),
    telemetry: z
      .strictObject({
        flushSeconds: z.number().int().min(5).max(3600).default(300).describe('Telemetry is buffered and written in one transaction this often (a power cut loses at most this much raw data; energy totals come from the meters\' counters and are not lost).'),
        rawRetentionHours: z.number().int().min(1).max(24 * 30).default(48).describe('How long raw readings are kept.'),
        minuteRetentionDays: z.number().int().min(1).max(3650).default(90).describe('How long 1-minute roll-ups are kept.'),
        hourRetentionYears: z.number().int().min(1).max(50).default(5).describe('How long 1-hour roll-ups are kept.'),
        heartbeatSeconds: z.number().int().min(10).max(86_400).default(900).describe('A raw value is stored at least this often even when it does not change.'),
        deadband: z
          .strictObject({
            V: point.default(1),
            A: point.default(0.2),
            W: point.default(50),
            var: point.default(50),
            VA: point.default(50),
            Hz: point.default(0.05),
            pf: point.default(0.02),
            kWh: point.default(0.1),
            degC: point.default(1),
            mA: point.default(10),
            relative: z.number().min(0).max(1).default(0.05),
          })
          .prefault({})
          .describe('A raw value is stored when it moves more than its unit\'s band from the last stored value; for currents and powers, more than max(band, relative × value).'),
        minuteRollupEvents: z.boolean().default(false).describe('Also queue 1-minute roll-ups for the cloud (hourly roll-ups always are).'),
        publishReadings: z.boolean().default(true).describe('Publish each meter\'s latest values on campus/energy/meter/{id}/reading.'),
      })
      .prefault({})
      .describe('Readings, roll-ups and retention, sized for SD/eMMC storage.'),
    alarms: z
      .strictObject({
        voltageLowV: z.number().positive().default(198).describe('Under-voltage limit (GB/T 12325: 220 V −10 %).'),
        voltageHighV: z.number().positive().default(235.4).describe('Over-voltage limit (GB/T 12325: 220 V +7 %).'),
        overCurrentRatio: z.number().positive().default(1).describe('Over-current when a phase current exceeds ratedCurrentA × this.'),
        afterHoursPowerW: z.number().positive().default(1500).describe('Power a building may draw outside operating hours before an alarm (per building: afterHoursPowerW).'),
        residualCurrentMa: z.number().positive().default(300).describe('Residual (leakage) current limit of safety detectors.'),
        cableTemperatureC: z.number().positive().default(70).describe('Cable temperature limit (PVC insulation: 70 °C).'),
        raiseAfterSeconds: z.number().int().min(0).default(10).describe('A condition must hold this long before an alarm is raised (safety detectors: immediately).'),
        afterHoursRaiseAfterSeconds: z.number().int().min(0).default(600).describe('How long after-hours power must persist before an alarm.'),
        clearAfterSeconds: z.number().int().min(0).default(30).describe('A condition must be gone this long before the alarm clears.'),
        hysteresis: z.number().min(0).max(0.5).default(0.02).describe('An alarm clears only when the value is back inside the limit by this fraction.'),
        offlineAfterSeconds: z.number().int().min(0).default(60).describe('A meter or relay board must stay unreachable this long before an alarm.'),
      })
      .prefault({})
      .describe('Electrical-safety and operations alarm limits.'),
    homeAssistant: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Publish Home Assistant MQTT discovery for meters and circuits.'),
        discoveryPrefix: z.literal('homeassistant').default('homeassistant').describe('Discovery prefix (the broker ACL lets operator and observer clients read homeassistant/#).'),
        nodeId: z.string().regex(/^[a-z0-9_-]{1,32}$/).default('campus_edge').describe('Node id in discovery topics.'),
      })
      .prefault({})
      .describe('Home Assistant MQTT discovery (an option).'),
  })
  .prefault({});

export type EnergyConfig = z.infer<typeof EnergyConfigSchema>;
export type EnergyConfigInput = z.input<typeof EnergyConfigSchema>;
