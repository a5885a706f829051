/** USB endpoint guard contracts: import as `@campus/protocol/usb/index` (or a single file). */
export * from './classes.js';
export * from './device.js';
export * from './policy.js';
export * from './canonical-json.js';
export * from './signing.js';
export * from './reasons.js';
export * from './decide.js';
export * from './messages.js';
export * from './policy-update.js';
export * from './policy-diff.js';
export * from './agent-config.js';
export * from './policy-content.js';
export * from './api.js';
