export * from './events.js';
export * from './api.js';
export * from './records.js';
export * from './eta.js';
export * from './positions.js';
export * from './notice.js';
export * from './gcj02.js';
