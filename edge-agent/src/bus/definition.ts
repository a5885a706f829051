import type { RecordKind } from '@campus/protocol/sync/records';
import { defineDomain } from '../modules/domain.js';
import { BusConfigSchema } from './config.js';
import { BUS_MIGRATIONS } from './migrations.js';

/** The cloud record kinds the bus box applies, in the order a page is applied (what is referred to first). */
export const BUS_CLOUD_KINDS = ['bus_vehicle', 'bus_route', 'bus_assignment', 'bus_stop_change', 'pickup_person', 'bus_trip'] as const satisfies readonly RecordKind[];

/** The school bus: what the edge knows without loading it (the running domain is in domain.ts). */
export const busDomain = defineDomain({
  name: 'bus',
  configKey: 'bus',
  config: BusConfigSchema,
  migrations: BUS_MIGRATIONS,
  visibility: [['bus.', ['transport', 'transport_manager']]],
  cloudKinds: BUS_CLOUD_KINDS,
  enabled: (c) => c.enabled,
  create: async (deps) => new (await import('./domain.js')).BusDomain(deps),
});
