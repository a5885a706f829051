import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModbusBusConfigSchema } from '../../src/modbus/config.js';
import { resolveMeterDevices } from '../../src/meters/device-config.js';
import { MeterMapRegistry } from '../../src/meters/registry.js';
import { RelayBoardConfigSchema } from '../../src/relay/relay-board.js';

/** The JSON examples in the installer notes must be accepted as written. */
const doc = readFileSync(fileURLToPath(new URL('../../../firmware-notes/rs485-meters-and-relays.md', import.meta.url)), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe('firmware-notes/rs485-meters-and-relays.md examples', () => {
  it('has a user map example that the registry accepts', () => {
    const map = jsonBlocks.find((b) => 'points' in b)!;
    const registry = MeterMapRegistry.withBuiltIns();
    const resolved = registry.add(map);
    expect(resolved.points.map((p) => p.name)).toEqual(['voltage', 'power_active_total', 'energy_active_import_total']);
  });

  it('has a configuration example whose bus, meters and relays validate', () => {
    const cfg = jsonBlocks.find((b) => 'bus' in b) as { bus: unknown; meters: unknown[]; relays: unknown[] };
    expect(ModbusBusConfigSchema.parse(cfg.bus).transport.kind).toBe('rtu');
    const { devices, rejected } = resolveMeterDevices(cfg.meters, MeterMapRegistry.withBuiltIns());
    expect(rejected).toEqual([]);
    expect(devices).toHaveLength(2);
    for (const r of cfg.relays) expect(RelayBoardConfigSchema.parse(r).channels).toBe(8);
  });
});
