export * from './quality.js';
export * from './units.js';
export * from './reading.js';
export * from './bus-status.js';
export * from './reasons.js';
export * from './points.js';
