import { defineDomain } from '../modules/domain.js';
import { HEALTH_KINDS, PROJECTED_KINDS } from './cloud/kinds.js';
import { AccessConfigSchema } from './config.js';
import { ACCESS_MIGRATIONS } from './migrations.js';

/** Gate and dormitory access: what the edge knows without loading it (the running domain is in domain.ts). */
export const accessDomain = defineDomain({
  name: 'access',
  configKey: 'access',
  config: AccessConfigSchema.prefault({}).describe('Gate and dormitory access control (门禁): zones, gates, readers, relay boards, keys.'),
  migrations: ACCESS_MIGRATIONS,
  visibility: [
    ['access.device', ['security', 'it']],
    ['access.', ['security']],
    ['attendance.', ['security']],
    ['visitor.', ['security']],
  ],
  cloudKinds: [...PROJECTED_KINDS, ...HEALTH_KINDS],
  enabled: () => true,
  create: async (deps) => new (await import('./domain.js')).AccessDomain(deps),
});
