import { defineDomain } from '../modules/domain.js';
import { EnergyConfigSchema } from './config.js';
import { ENERGY_MIGRATIONS } from './migrations.js';

/** Energy and electrical safety: what the edge knows without loading it (the running domain is in domain.ts). */
export const energyDomain = defineDomain({
  name: 'energy',
  configKey: 'energy',
  config: EnergyConfigSchema.describe(
    'Energy and electrical safety (能耗与用电安全): Modbus meters and relay circuits, schedules with the school calendar, telemetry, alarms, reports. Guide: firmware-notes/energy-setup.md.',
  ),
  migrations: ENERGY_MIGRATIONS,
  visibility: [
    ['energy.', ['facility']],
    ['alarm.', ['facility', 'security']],
  ],
  cloudKinds: [],
  // Off, it is loaded when first needed (its routes answer 503): the demo starts it on its own buildings.
  enabled: (c) => c.enabled,
  create: async (deps) => new (await import('./domain.js')).EnergyDomain(deps),
});
