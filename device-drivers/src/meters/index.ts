export { MeterMapSchema, MapPointSchema, VALUE_TYPES, WORD_ORDERS, POLL_CLASSES, type MeterMapInput, type MapPointInput, type ValueType, type WordOrder, type PollClass } from './map-schema.js';
export { MeterMapRegistry, loadMeterMap, BUILT_IN_MAP_DIR } from './registry.js';
export { checkPointPlacement, type ResolvedMeterMap, type ResolvedPoint } from './resolved-map.js';
export { decodeValue, decodeRaw, encodeValue, type Decodable } from './decode.js';
export { judgeReading, type Judged } from './quality.js';
export {
  MeterDeviceConfigSchema,
  DEFAULT_POLL_INTERVALS,
  resolveMeterDevice,
  resolveMeterDevices,
  type MeterDeviceConfigInput,
  type ResolvedMeterDevice,
  type PolledPoint,
  type RejectedDevice,
} from './device-config.js';
export { EnergyConfigError, type ConfigIssue } from './errors.js';
export { MeterPoller, type MeterPollerOptions, type MeterPollerEvents, type MeterDeviceError, type PointUnsupported, type PollReport, type ModbusRequester } from './poller.js';
