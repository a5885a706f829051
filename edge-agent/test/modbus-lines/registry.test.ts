import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedMeter, SimulatedModbusLine, SimulatedRelayBoard, startRtuSerialSlave, startTcpSlave } from '@campus/device-drivers/modbus/sim/index';
import { openPtyPair } from '@campus/testkit';
import { AccessConfigSchema } from '../../src/access/config.js';
import { ModbusLineConflict, ModbusLines, findLineConflicts, type LineClaim } from '../../src/modbus-lines/index.js';
import { waitFor } from '../helpers/edge.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function conflictOf(fn: () => unknown): ModbusLineConflict {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModbusLineConflict) return e;
    throw e;
  }
  throw new Error('expected a ModbusLineConflict');
}

const tcpClaim = (key: string, id: string, port: number, units: number[], extra: Partial<LineClaim['bus']> = {}): LineClaim => ({
  key,
  bus: { id, transport: { kind: 'tcp', host: '127.0.0.1', port }, ...extra },
  units: units.map((unit) => ({ unit })),
});

describe('ModbusLines: one master per physical line', () => {
  it('gives two entries on one Modbus TCP endpoint the same bus, one connection, and closes it after the last user', async () => {
    const sim = new SimulatedModbusLine().add(new SimulatedMeter({ unit: 10, model: 'eastron-sdm120' }), new SimulatedRelayBoard({ unit: 1 }));
    const slave = await startTcpSlave(sim, { framing: 'tcp' });
    cleanups.push(() => slave.close(), () => sim.close());
    const lines = new ModbusLines();
    const gates = lines.acquire({ ...tcpClaim('access.relayBuses[0]', 'gates', slave.port, []), units: [{ unit: 1, policy: { retries: 0, offlineProbeIntervalMs: 1000 } }] });
    const meters = lines.acquire(tcpClaim('energy.buses[0]', 'meters', slave.port, [10], { timeoutMs: 800, offlineProbeIntervalMs: 120_000 }));
    cleanups.push(() => gates.release(), () => meters.release());
    expect(meters.bus).toBe(gates.bus);
    expect(meters.sharedWith).toEqual(['access.relayBuses[0]']);
    // Each entry's own policy for its own units, on the line its first user opened.
    expect(gates.bus.id).toBe('gates');
    expect(gates.bus.policyOf(1)).toMatchObject({ retries: 0, offlineProbeIntervalMs: 1000, timeoutMs: 500 });
    expect(gates.bus.policyOf(10)).toMatchObject({ retries: 1, offlineProbeIntervalMs: 120_000, timeoutMs: 800 });
    expect(meters.config.id).toBe('meters');

    await Promise.all([gates.start(), meters.start()]);
    await gates.bus.writeCoil(1, 0, true);
    expect(await meters.bus.readRegisters(10, 'input', 0, 2)).toHaveLength(2);
    expect(slave.connections).toBe(1);
    expect(lines.lines()).toEqual([{ link: `127.0.0.1:${slave.port}`, busId: 'gates', users: ['access.relayBuses[0]', 'energy.buses[0]'] }]);

    await gates.release();
    expect(meters.bus.status().state).toBe('open');
    expect(await meters.bus.readRegisters(10, 'input', 0, 2)).toHaveLength(2);
    await meters.release();
    expect(meters.bus.status().state).toBe('stopped');
    expect(lines.lines()).toEqual([]);
    await waitFor(() => slave.connections === 0, 5000);
  });

  it('knows a serial line by its real path (a by-id link and the tty are one line)', async () => {
    const pty = await openPtyPair({ name: 'byid' });
    const sim = new SimulatedModbusLine().add(new SimulatedMeter({ unit: 10, model: 'eastron-sdm120' }));
    const slave = await startRtuSerialSlave(sim, { path: pty.b });
    const dir = mkdtempSync(join(tmpdir(), 'by-id-'));
    const alias = join(dir, 'usb-FTDI_RS485-if00-port0');
    symlinkSync(pty.a, alias);
    cleanups.push(() => pty.close(), () => slave.close(), () => sim.close(), () => rmSync(dir, { recursive: true, force: true }));
    const lines = new ModbusLines();
    const a = lines.acquire({ key: 'access.relayBuses[0]', bus: { id: 'gates', transport: { kind: 'rtu', path: alias } }, units: [{ unit: 1 }] });
    const b = lines.acquire({ key: 'energy.buses[0]', bus: { id: 'meters', transport: { kind: 'rtu', path: pty.a } }, units: [{ unit: 10 }] });
    cleanups.push(() => a.release(), () => b.release());
    expect(b.bus).toBe(a.bus);
    await b.start();
    expect(await b.bus.readRegisters(10, 'input', 0, 2)).toHaveLength(2);
  });

  it('refuses a second entry that disagrees about the line or a unit address, naming both keys in both languages', () => {
    const lines = new ModbusLines();
    const first = lines.acquire({ key: 'access.relayBuses[0]', bus: { id: 'gates', transport: { kind: 'rtu', path: '/dev/ttyNOPE0', baudRate: 9600 } }, units: [{ unit: 1 }] });
    cleanups.push(() => first.release());

    const baud = conflictOf(() => lines.acquire({ key: 'energy.buses[1]', bus: { id: 'm', transport: { kind: 'rtu', path: '/dev/ttyNOPE0', baudRate: 9600, parity: 'even' } }, units: [{ unit: 10 }] }));
    expect(baud.code).toBe('modbus.line_conflict');
    expect(baud.keys).toEqual(['access.relayBuses[0]', 'energy.buses[1]']);
    expect(baud.text.en).toBe(
      'Modbus line /dev/ttyNOPE0 is set differently in access.relayBuses[0] (RTU, 9600 8N1) and energy.buses[1] (RTU, 9600 8E1). One RS-485 line has one master and one baud rate, parity and framing; make them match',
    );
    expect(baud.text['zh-CN']).toContain('Modbus 线路 /dev/ttyNOPE0 在 access.relayBuses[0]（RTU, 9600 8N1）和 energy.buses[1]（RTU, 9600 8E1）中的设置不一致');

    const unit = conflictOf(() => lines.acquire({ key: 'energy.buses[0]', bus: { id: 'm', transport: { kind: 'rtu', path: '/dev/ttyNOPE0' } }, units: [{ unit: 10 }, { unit: 1 }] }));
    expect(unit).toMatchObject({ code: 'modbus.unit_conflict', keys: ['access.relayBuses[0]', 'energy.buses[0]'] });
    expect(unit.text['zh-CN']).toContain('地址 1 同时被 access.relayBuses[0] 和 energy.buses[0] 使用');
    // Nothing of a refused claim sticks: the same entry, fixed, is welcome.
    expect(lines.lines()[0]!.users).toEqual(['access.relayBuses[0]']);
    const fixed = lines.acquire({ key: 'energy.buses[0]', bus: { id: 'm', transport: { kind: 'rtu', path: '/dev/ttyNOPE0' } }, units: [{ unit: 10 }] });
    cleanups.push(() => fixed.release());
    expect(fixed.bus).toBe(first.bus);
  });

  it('finds conflicts in config without opening anything: framing on one host:port, and a bad entry is left to its own check', () => {
    const found = findLineConflicts([
      tcpClaim('access.relayBuses[0]', 'a', 4196, [1]),
      { key: 'energy.buses[0]', bus: { id: 'b', transport: { kind: 'rtu-over-tcp', host: '127.0.0.1', port: 4196 } }, units: [{ unit: 10 }] },
      { key: 'energy.buses[1]', bus: { id: 'c', transport: { kind: 'tcp', host: '', port: 4196 } }, units: [] },
      tcpClaim('energy.buses[2]', 'd', 4196, [11]),
    ]);
    expect(found.map((c) => [c.code, ...c.keys])).toEqual([['modbus.line_conflict', 'access.relayBuses[0]', 'energy.buses[0]']]);
    expect(found[0]!.text.en).toContain('(Modbus TCP) and energy.buses[0] (RTU over TCP)');
  });
});

describe('access config: relay buses naming one line', () => {
  const base = {
    zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus' as const }],
    relayBoards: [
      { id: 'b1', bus: 'north', unitId: 1 },
      { id: 'b2', bus: 'south', unitId: 2 },
    ],
  };

  it('accepts two relay buses on one serial line that agree (they share its master)', () => {
    const ok = AccessConfigSchema.safeParse({
      ...base,
      relayBuses: [
        { id: 'north', link: { kind: 'rtu', path: '/dev/ttyUSB0' } },
        { id: 'south', link: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600 } },
      ],
    });
    expect(ok.success).toBe(true);
  });

  it('refuses two that disagree about the baud rate, naming both keys', () => {
    const bad = AccessConfigSchema.safeParse({
      ...base,
      relayBuses: [
        { id: 'north', link: { kind: 'rtu', path: '/dev/ttyUSB0' } },
        { id: 'south', link: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 19200 } },
      ],
    });
    expect(bad.success).toBe(false);
    const issue = bad.error!.issues.find((i) => i.path.join('.') === 'relayBuses.1.link');
    expect(issue?.message).toContain('access.relayBuses[0]（RTU, 9600 8N1）和 access.relayBuses[1]（RTU, 19200 8N1）');
    expect(issue?.message).toContain('set differently in access.relayBuses[0] (RTU, 9600 8N1) and access.relayBuses[1] (RTU, 19200 8N1)');
  });

  it('refuses serial settings Modbus RTU cannot carry', () => {
    const bad = AccessConfigSchema.safeParse({ ...base, relayBoards: [], relayBuses: [{ id: 'north', link: { kind: 'rtu', path: '/dev/ttyUSB0', parity: 'mark' } }] });
    expect(bad.success).toBe(false);
  });
});
