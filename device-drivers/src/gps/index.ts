/**
 * GPS/BeiDou receivers speaking NMEA 0183: sentence parsing, fix checks (no fix, stale,
 * poor HDOP, jumps, wrong clocks), a reader over serial or TCP serial server transports,
 * and a simulator for tests and the demo.
 */
export * from './nmea.js';
export * from './tracker.js';
export * from './reader.js';
export * from './simulator.js';
export { GPS_REFUSALS, gpsMessages, type GpsRefusal } from './messages.js';
