import { defineDomain } from '../modules/domain.js';
import { CloudConfigSchema } from './config.js';
import { SYNC_MIGRATIONS } from './migrations.js';

/** Cloud sync: what the edge knows without loading it (the running module is in module.ts). */
export const syncDomain = defineDomain({
  name: 'sync',
  configKey: 'cloud',
  config: CloudConfigSchema,
  migrations: SYNC_MIGRATIONS,
  visibility: [['sync.', ['it']]],
  cloudKinds: [],
  enabled: () => true,
  create: async (deps) => new (await import('./module.js')).SyncModule(deps),
});
