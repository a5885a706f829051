/**
 * Gate access and attendance contracts: event types, reason codes (with zh-CN/English
 * texts), API request schemas and response shapes. Import as `@campus/protocol/access/index`.
 */
export * from './model.js';
export * from './events.js';
export * from './reasons.js';
export * from './api.js';
export * from './passage.js';
