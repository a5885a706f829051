import { SimulatedMeter, SimulatedModbusLine, SimulatedRelayBoard, startTcpSlave, type TcpSlave } from '@campus/device-drivers/modbus/sim/index';
import { EnergyConfigSchema, type EnergyConfig } from '../config.js';
import { SimulatedSafetyDetector } from './safety-detector.js';
import { demoEnergyConfig, ROOMS } from './demo-config.js';

/**
 * The demo campus's electricity: simulated meters, relay boards and a safety
 * detector behind two Modbus TCP servers on loopback (a serial server for the
 * teaching building's RS-485 segment, a Modbus TCP gateway for the rest),
 * polled through the real drivers. Switching a classroom's circuits changes
 * what its meter measures, so a newcomer sees the effect live.
 */
export class DemoEnergy {
  private readonly lines: SimulatedModbusLine[] = [];
  private readonly servers: TcpSlave[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly links: Array<{ meter: SimulatedMeter; board: SimulatedRelayBoard; channels: Array<{ channel: number; share: number }> }> = [];
  readonly config: EnergyConfig;
  /** Where the two simulated lines listen (the edge builds its configuration from them: demoEnergyConfig). */
  readonly ports: { teach: number; campus: number };

  private constructor(teachPort: number, campusPort: number, teach: SimulatedModbusLine, campus: SimulatedModbusLine) {
    this.lines.push(teach, campus);
    this.ports = { teach: teachPort, campus: campusPort };
    this.config = EnergyConfigSchema.parse(demoEnergyConfig(teachPort, campusPort));
  }

  static async start(): Promise<DemoEnergy> {
    // Teaching building: room meters and a relay board on one RS-485 segment behind a serial server (RTU over TCP).
    const teach = new SimulatedModbusLine({ baudRate: 9600, turnaroundMs: 5 });
    const campus = new SimulatedModbusLine();
    const boards = new Map([
      ['teach', new SimulatedRelayBoard({ unit: 1, channels: 16 })],
      ['campus', new SimulatedRelayBoard({ unit: 1, channels: 16 })],
    ]);
    teach.add(boards.get('teach')!);
    campus.add(boards.get('campus')!);
    teach.add(new SimulatedMeter({ unit: 10, model: 'eastron-sdm630', seed: 10, baseLoadW: 2500, startKwh: 48_210 }));
    campus.add(new SimulatedMeter({ unit: 20, model: 'chint-dtsu666', seed: 20, baseLoadW: 1800, startKwh: 21_540 }));
    campus.add(new SimulatedMeter({ unit: 30, model: 'eastron-sdm630', seed: 30, baseLoadW: 4000, startKwh: 96_320 }));
    campus.add(new SimulatedSafetyDetector(40));
    const links: DemoEnergy['links'] = [];
    const channelOf = new Map<string, number>();
    for (const r of ROOMS) {
      const line = r.building === 'teach' ? teach : campus;
      const board = boards.get(r.building === 'teach' ? 'teach' : 'campus')!;
      const meter = new SimulatedMeter({ unit: r.unit, model: r.model, seed: r.unit, baseLoadW: r.baseLoadW, startKwh: 3000 + r.unit * 37 });
      line.add(meter);
      const key = r.building === 'teach' ? 'teach' : 'campus';
      links.push({
        meter,
        board,
        channels: r.circuits.map((c) => {
          const ch = (channelOf.get(key) ?? 0) + 1;
          channelOf.set(key, ch);
          return { channel: ch, share: c.share };
        }),
      });
    }
    const teachServer = await startTcpSlave(teach, { framing: 'rtu' });
    const campusServer = await startTcpSlave(campus, { framing: 'tcp' });
    const demo = new DemoEnergy(teachServer.port, campusServer.port, teach, campus);
    demo.servers.push(teachServer, campusServer);
    demo.links.push(...links);
    // A switched-off circuit takes its share of the room's load with it.
    demo.timer = setInterval(() => demo.followRelays(), 500);
    demo.timer.unref();
    demo.followRelays();
    return demo;
  }

  private followRelays(): void {
    for (const l of this.links) {
      const on = l.channels.reduce((a, c) => a + (l.board.states[c.channel - 1] ? c.share : 0), 0);
      l.meter.physics.loadFactor = 0.05 + on;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.servers.map((s) => s.close()));
    for (const l of this.lines) l.close();
  }
}

