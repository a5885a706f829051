/**
 * Turnstiles and the relays that open them: the RelayOutput interface, a Modbus relay
 * board on the shared Modbus bus manager (ModbusLineCoilBus), pass-sensor polling, the turnstile with IN/OUT and passage
 * follow-up, fire-alarm mode, and a relay-board simulator with Modbus servers.
 */
export { GATE_DIRECTIONS, type GateDirection, type RelayOutput, type DiscreteInputs, type CoilBus } from './relayOutput.js';
export {
  ModbusCoilBusOptionsSchema,
  ModbusLinkSchema,
  relayBusLine,
  relayLinkId,
  type ModbusCoilBusOptions,
  type ModbusCoilBusConfig,
  type ModbusLink,
  type RelayBusLine,
} from './relayBusOptions.js';
export { ModbusLineCoilBus, type ModbusLineCoilBusOptions } from './lineCoilBus.js';
export { openRelayLine } from './relayLine.js';
export { ModbusRelayBoard, ModbusRelayBoardOptionsSchema, type ModbusRelayBoardOptions, type RelayBoardStatus } from './modbusRelayBoard.js';
export { InputWatcher, InputWatcherOptionsSchema, type InputWatcherOptions, type InputChange } from './inputWatcher.js';
export {
  Turnstile,
  TurnstileOptionsSchema,
  PASSAGE_OUTCOMES,
  PASSAGE_REASON_CODES,
  type TurnstileOptions,
  type OpeningRef,
  type GateOpening,
  type PassageOutcome,
  type Passage,
  type HoldChange,
} from './turnstile.js';
export { attachPassSensor, type PassSensorWiring } from './passSensor.js';
export { FireAlarm, type FireAlarmReport, type FireAlarmGateState } from './fireAlarm.js';
export { gateMessages } from './messages.js';
export { RelayBoardSimulator, RelayBoardSimulatorOptionsSchema, type RelayBoardSimulatorOptions, type SimulatedPulse } from './relayBoardSimulator.js';
export {
  serveModbusTcp,
  serveRtuOverTcp,
  serveRtuOnSerial,
  type SimulatorTcpServer,
  type SimulatorSerialEndpoint,
} from './relayBoardServers.js';
export { crc16, rtuFrame, mbapFrame, RtuRequestReader, MbapRequestReader } from './modbusFrames.js';
