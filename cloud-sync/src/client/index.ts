/**
 * The edge's end of cloud sync. This module (and only this one) is what edge-agent may
 * import: `import { CloudSyncClient } from '@campus/cloud-sync/client'`.
 */
export * from './outbox.js';
export * from './change-applier.js';
export * from './transport.js';
export * from './uploader.js';
export * from './change-feed.js';
export * from './sync-client.js';
export * from './pacing.js';
export * from './logger.js';
export * from './metrics.js';
export { MemoryOutbox } from './reference/memory-outbox.js';
export { FileOutbox } from './reference/file-outbox.js';
export { MemoryChangeApplier } from './reference/memory-applier.js';
