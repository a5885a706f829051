import { defineDomain } from '../modules/domain.js';
import { BusConfigSchema } from './config.js';
import { BUS_MIGRATIONS } from './migrations.js';

/** The school bus: what the edge knows without loading it (the running domain is in domain.ts). */
export const busDomain = defineDomain({
  name: 'bus',
  configKey: 'bus',
  config: BusConfigSchema,
  migrations: BUS_MIGRATIONS,
  visibility: [['bus.', ['security']]],
  // Routes and assignments will come from the cloud; protocol/src/sync/records.ts has no bus kinds yet.
  cloudKinds: [],
  enabled: (c) => c.enabled,
  create: async (deps) => new (await import('./domain.js')).BusDomain(deps),
});
