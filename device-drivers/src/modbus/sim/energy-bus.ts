import { SimulatedModbusLine, type Pacing } from './line.js';
import { SimulatedMeter } from './meter-sim.js';
import { SimulatedRelayBoard } from './relay-sim.js';

export interface SimulatedEnergyBusSpec {
  meters?: Array<{ unit: number; model: string; seed?: number; baseLoadW?: number; startKwh?: number; strictAddresses?: boolean }>;
  relays?: Array<{ unit: number; channels?: number; profile?: 'waveshare' | 'generic-coils' }>;
  /** e.g. { baudRate: 9600, turnaroundMs: 5 } for true RS-485 timing. */
  pacing?: Pacing;
}

/** A simulated RS-485 segment with meters and relay boards, as the demo campus and the benchmark use it. */
export function buildSimulatedEnergyBus(spec: SimulatedEnergyBusSpec): SimulatedModbusLine {
  const line = new SimulatedModbusLine(spec.pacing ?? null);
  for (const m of spec.meters ?? []) line.add(new SimulatedMeter(m));
  for (const r of spec.relays ?? []) line.add(new SimulatedRelayBoard(r));
  return line;
}
