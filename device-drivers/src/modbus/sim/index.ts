/**
 * Simulated Modbus devices for tests, the demo campus and benchmarks: meters
 * answering from their register maps with changing values, Waveshare-style
 * relay boards, fault injection, true wire-time pacing, and the transports to
 * serve them (a serial path such as one end of a socat pty pair, which tests
 * get from @campus/testkit; Modbus TCP; RTU over TCP).
 */
export { SimulatedModbusLine, type SimFaults, type Pacing, type SimRequest, type SimReply } from './line.js';
export { SimulatedMeter, type SimulatedMeterOptions } from './meter-sim.js';
export { SimulatedRelayBoard, type SimulatedRelayBoardOptions, type RelayCommandLog } from './relay-sim.js';
export { MeterPhysics, pointValue, seededRandom, type MeterSnapshot } from './meter-physics.js';
export { servePdu, exceptionPdu, EXCEPTION, type SimulatedDevice, type RegisterSpace } from './slave-device.js';
export { startRtuSerialSlave, type RtuSerialSlave } from './serial-slave.js';
export { startTcpSlave, type TcpSlave, type TcpSlaveOptions } from './tcp-slave.js';
export { buildSimulatedEnergyBus, type SimulatedEnergyBusSpec } from './energy-bus.js';
export { RtuRequestAssembler } from './rtu-assembler.js';
