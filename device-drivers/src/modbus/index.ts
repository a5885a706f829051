/**
 * Modbus for the edge: one ModbusBus per physical bus (RS-485 RTU, Modbus TCP,
 * RTU over TCP), the request planner, and — re-exported for one import — the
 * meter poller and the relay board. No SQLite, MQTT or HTTP in here.
 */
export { ModbusBus, type ModbusBusEvents, type ModbusBusOptions, type RequestOptions, type DeviceStateChange, type TransactionTrace, type BusLogger } from './bus.js';
export {
  ModbusBusConfigSchema,
  ModbusTransportSchema,
  ModbusDevicePolicySchema,
  lineFormatOf,
  defaultInterFrameDelayMs,
  type ModbusBusConfig,
  type ModbusBusConfigInput,
  type ModbusTransportConfig,
  type ModbusDevicePolicy,
  type ModbusDevicePolicyInput,
} from './config.js';
export { ModbusError, isModbusError, type ModbusFailureKind } from './errors.js';
export { planRequests, PlanError, DEFAULT_PLAN_LIMITS, type PlanPoint, type PlannedRead, type PlanLimits, type PlanOptions, type AddressRange } from './plan.js';
export {
  REGISTER_TABLES,
  FUNCTION_CODES,
  READ_FUNCTION,
  MAX_READ_REGISTERS,
  MAX_READ_BITS,
  encodeRequest,
  decodeResponse,
  functionCodeOf,
  type RegisterTable,
  type ModbusRequest,
  type ModbusResult,
} from './pdu.js';
export { crc16, withCrc, crcMatches } from './crc16.js';
export { rtuFraming, tcpFraming, type Framing } from './framing.js';
export type { ByteLink } from './link.js';
export { SerialLink } from './serial-link.js';
export { TcpLink } from './tcp-link.js';
export { createByteLink } from './transport.js';
export { bitsPerChar, charTimeMs, wireTimeMs, interFrameGapMs, rtuRequestBytes, rtuResponseBytes, rtuTransactionFloorMs, type LineFormat } from './wire-time.js';
export * from '../meters/index.js';
export * from '../relay/index.js';
