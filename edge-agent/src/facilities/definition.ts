import { defineDomain } from '../modules/domain.js';
import { FacilitiesConfigSchema } from './config.js';
import { FACILITIES_MIGRATIONS } from './migrations.js';

/** Facilities (后勤): what the edge knows without loading it (the running domain is in domain.ts). */
export const facilitiesDomain = defineDomain({
  name: 'facilities',
  configKey: 'facilities',
  config: FacilitiesConfigSchema,
  migrations: FACILITIES_MIGRATIONS,
  // Rounds, alerts and orders reach the logistics supervisor live; requesters and workers read their orders through the API.
  visibility: [['facilities.', ['facility']]],
  cloudKinds: [],
  enabled: (c) => c.enabled,
  create: async (deps) => new (await import('./domain.js')).FacilitiesDomain(deps),
});
