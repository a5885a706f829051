export * from './signing.js';
export * from './ingest.js';
export * from './records.js';
export * from './changes.js';
export * from './notice-events.js';
export * from './messages.js';
export * from './status.js';
