import { SimulatedModbusLine, SimulatedMeter, SimulatedRelayBoard, startTcpSlave, type TcpSlave } from '@campus/device-drivers/modbus/sim/index';

export interface SimCampus {
  line: SimulatedModbusLine;
  slave: TcpSlave;
  relay(unit: number): SimulatedRelayBoard;
  meter(unit: number): SimulatedMeter;
  close(): Promise<void>;
}

/** Simulated meters and relay boards behind a Modbus TCP server on a free loopback port. */
export async function startSimCampus(spec: {
  meters?: Array<{ unit: number; model: string; baseLoadW?: number; startKwh?: number }>;
  relays?: Array<{ unit: number; channels?: number }>;
  framing?: 'tcp' | 'rtu';
}): Promise<SimCampus> {
  const line = new SimulatedModbusLine();
  for (const m of spec.meters ?? []) line.add(new SimulatedMeter(m));
  for (const r of spec.relays ?? []) line.add(new SimulatedRelayBoard(r));
  const slave = await startTcpSlave(line, { framing: spec.framing ?? 'tcp' });
  return {
    line,
    slave,
    relay: (unit) => line.device<SimulatedRelayBoard>(unit)!,
    meter: (unit) => line.device<SimulatedMeter>(unit)!,
    close: async () => {
      await slave.close();
      line.close();
    },
  };
}
