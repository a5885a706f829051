export * from './ids.js';
export * from './topics.js';
export * from './events/index.js';
export * from './i18n/index.js';
