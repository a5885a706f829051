import { bilingual } from '@campus/protocol/i18n';
import { ModbusBusConfigSchema, type ModbusBusConfig, type ModbusBusConfigInput, type ModbusDevicePolicyInput } from '@campus/device-drivers/modbus/index';
import { lineKeyOf, lineLabelOf, lineSettingsConflict, lineSettingsOf } from './line-key.js';
import './messages.js';

/** One config entry that puts devices on a Modbus line: an energy bus or an access relay bus. */
export interface LineClaim {
  /** Where it is in the config, for messages: "access.relayBuses[0]", "energy.buses[2]". */
  key: string;
  /** Its bus config; `id` is the entry's id. */
  bus: ModbusBusConfigInput;
  /** The units it puts on the line, each optionally with its own policy (default: the entry's bus-level one). */
  units: ReadonlyArray<{ unit: number; policy?: ModbusDevicePolicyInput }>;
}

export type LineConflictCode = 'modbus.line_conflict' | 'modbus.unit_conflict';

/** Two config entries disagree about one physical line. Names both keys, in both languages. */
export class ModbusLineConflict extends Error {
  readonly text: { 'zh-CN': string; en: string };
  constructor(
    readonly code: LineConflictCode,
    readonly keys: readonly [string, string],
    params: Record<string, string | number>,
  ) {
    const text = bilingual(`error.${code}`, { keyA: keys[0], keyB: keys[1], ...params });
    super(text.en);
    this.name = 'ModbusLineConflict';
    this.text = text;
  }
}

/** What is known of a line so far: its settings (from its first user) and who has which unit. */
export interface LineUse {
  link: string;
  config: ModbusBusConfig;
  firstKey: string;
  units: Map<number, string>;
}

/** The conflict `claim` (parsed as `config`) would make on `line`, or null. */
export function conflictWith(line: LineUse, claim: LineClaim, config: ModbusBusConfig): ModbusLineConflict | null {
  if (lineSettingsConflict(line.config, config)) {
    return new ModbusLineConflict('modbus.line_conflict', [line.firstKey, claim.key], { link: line.link, a: lineSettingsOf(line.config), b: lineSettingsOf(config) });
  }
  for (const { unit } of claim.units) {
    const holder = line.units.get(unit);
    if (holder !== undefined && holder !== claim.key) return new ModbusLineConflict('modbus.unit_conflict', [holder, claim.key], { link: line.link, unit });
  }
  return null;
}

/**
 * Every conflict among config entries, without opening anything: for config
 * validation (two access relay buses, two energy buses, or one of each on one line).
 * Entries whose bus config does not parse are left to their own validation.
 */
export function findLineConflicts(claims: readonly LineClaim[]): ModbusLineConflict[] {
  const lines = new Map<string, LineUse>();
  const found: ModbusLineConflict[] = [];
  for (const claim of claims) {
    const parsed = ModbusBusConfigSchema.safeParse(claim.bus);
    if (!parsed.success) continue;
    const key = lineKeyOf(parsed.data.transport);
    const line = lines.get(key);
    if (!line) {
      lines.set(key, { link: lineLabelOf(parsed.data.transport), config: parsed.data, firstKey: claim.key, units: new Map(claim.units.map((u) => [u.unit, claim.key])) });
      continue;
    }
    const conflict = conflictWith(line, claim, parsed.data);
    if (conflict) found.push(conflict);
    else for (const { unit } of claim.units) line.units.set(unit, claim.key);
  }
  return found;
}
