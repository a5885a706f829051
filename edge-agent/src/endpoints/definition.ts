import { defineDomain } from '../modules/domain.js';
import { EndpointsConfigSchema } from './config.js';
import { ENDPOINT_MIGRATIONS } from './migrations.js';

/** The USB endpoint guard: what the edge knows without loading it (the running domain is in domain.ts). */
export const endpointsDomain = defineDomain({
  name: 'endpoints',
  configKey: 'endpoints',
  config: EndpointsConfigSchema,
  migrations: ENDPOINT_MIGRATIONS,
  visibility: [
    ['usb.', ['it']],
    ['endpoint.', ['it']],
  ],
  cloudKinds: ['usb_policy'],
  enabled: (c) => c.enabled,
  create: async (deps) => new (await import('./domain.js')).EndpointsDomain(deps),
});
