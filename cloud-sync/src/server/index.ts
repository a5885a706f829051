/** The cloud service: `startCloud()` runs it in-process; `campus-cloud start` runs it as a daemon. */
export { startCloud, type CloudOptions, type RunningCloud, type ProvisionInput, type CloudChannels } from './cloud.js';
export type { Database, Queryable } from './db/database.js';
export { openDatabase } from './db/open.js';
export { migrate } from './db/migrations.js';
export type { IssuedCredentials } from './tenancy/tenancy.js';
export type { VapidKeys, PushPayload } from './notify/channels/web-push.js';
export { jsonLogger, quietLogger, type CloudLogger } from './logger.js';
export { LATE_AFTER_MS } from './notify/compose.js';
export { provisionDemo, type DemoLink } from './demo-provision.js';
export { loadCloudConfig, cloudOptionsFrom, CloudConfigSchema, type CloudConfig } from './config.js';
