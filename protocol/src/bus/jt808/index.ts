export * from './errors.js';
export * from './bcd.js';
export * from './gbk.js';
export * from './frame.js';
export * from './messages.js';
export * from './session.js';
