import type { LinkStatus } from '../serial/linkStatus.js';

/** Which way a person goes through a gate. */
export const GATE_DIRECTIONS = ['in', 'out'] as const;
export type GateDirection = (typeof GATE_DIRECTIONS)[number];

/**
 * Relay channels that open gates. A turnstile's unlock input is a dry contact: closing
 * the relay for a moment (pulse) lets one person through; holding it closed (set on)
 * leaves the gate free, as in fire-alarm mode. Channels are numbered from 0.
 */
export interface RelayOutput {
  readonly id: string;
  /** Close the contact for `ms`, then open it. Resolves when the board has accepted the command. */
  pulse(channel: number, ms: number): Promise<void>;
  /** Hold the contact closed (true) or open (false) until told otherwise. */
  set(channel: number, on: boolean): Promise<void>;
  status(): LinkStatus;
}

/** Digital inputs of a relay controller: pass sensors, the fire panel's dry contact. */
export interface DiscreteInputs {
  readonly id: string;
  readInputs(first: number, count: number): Promise<boolean[]>;
}

/**
 * The Modbus operations a relay board needs. The edge serves them from the shared
 * Modbus bus manager (ModbusLineCoilBus), so a relay board and meters can share one
 * RS-485 line; the tests keep a modbus-serial master as an independent reference (test/turnstile/referenceCoilBus.ts).
 */
export interface CoilBus {
  readonly id: string;
  /** FC05 with 0xFF00 / 0x0000. */
  writeCoil(unitId: number, address: number, on: boolean): Promise<void>;
  /** FC05 with a vendor value, e.g. a Waveshare flash command whose value is a time. */
  writeSingleCoilValue(unitId: number, address: number, value: number): Promise<void>;
  /** FC02. */
  readDiscreteInputs(unitId: number, address: number, count: number): Promise<boolean[]>;
  /** FC01. */
  readCoils(unitId: number, address: number, count: number): Promise<boolean[]>;
  status(): LinkStatus;
  /** Called when the link (re)opens, so holders of state can re-apply it. */
  onOpen(listener: () => void): () => void;
}
