/**
 * Modbus poll cycle on a simulated RS-485 bus paced at 9600 baud 8E1 (11 bits a
 * character, the Modbus RTU default and the meters' factory setting): 30 Eastron
 * SDM630 (every point of the map) and 10 Waveshare relay boards, over a socat
 * pty pair. The simulator delays each reply by the true wire time of request
 * and reply plus 5 ms device turnaround, so the floor of a plan is
 * Σ (request + reply bytes) × 11 bits / 9600 + 5 ms over its requests.
 *
 * A second, identical bus (own pty pair, own simulator) runs the naive
 * one-request-per-value poller at the same time, so both are measured in the
 * same run without doubling the wall time.
 *
 * Results: modbus.cycle.ratio, modbus.cycle.naive.ratio (× floor),
 * modbus.deadmeter.slowdown (%, the cycle in which the meter dies), modbus.write.wait (transactions).
 */
import { median, report } from './lib.js';
import { ModbusBus, MeterPoller, RelayBoard, rtuTransactionFloorMs, type TransactionTrace } from '@campus/device-drivers/modbus/index';
import { buildSimulatedEnergyBus, startRtuSerialSlave, type SimulatedModbusLine } from '@campus/device-drivers/modbus/sim/index';
import { openPtyPair } from '@campus/testkit';

const LINE = { baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1, turnaroundMs: 5 } as const;
const METERS = Array.from({ length: 30 }, (_, i) => i + 1);
const RELAYS = Array.from({ length: 10 }, (_, i) => 31 + i);
const DEAD_UNIT = 7;
const HEALTHY_CYCLES = 3;
// Five cycles of ~16 s span more than the 60 s probe interval: detection plus one probe.
const DEAD_CYCLES = 5;
const WRITES = 20;

const devices = [
  ...METERS.map((unit) => ({ id: `meter-${unit}`, unit, model: 'eastron-sdm630' })),
  ...RELAYS.map((unit) => ({ id: `relays-${unit}`, unit, model: 'waveshare-relay-8' })),
];

interface Rig {
  bus: ModbusBus;
  line: SimulatedModbusLine;
  poller: MeterPoller;
  close(): Promise<void>;
}

async function rig(name: string): Promise<Rig> {
  const pty = await openPtyPair({ name });
  const line = buildSimulatedEnergyBus({
    meters: METERS.map((unit) => ({ unit, model: 'eastron-sdm630' })),
    relays: RELAYS.map((unit) => ({ unit })),
    pacing: LINE,
  });
  const slave = await startRtuSerialSlave(line, { path: pty.b, baudRate: LINE.baudRate });
  const bus = new ModbusBus({ id: name, transport: { kind: 'rtu', path: pty.a, baudRate: LINE.baudRate, dataBits: LINE.dataBits, parity: LINE.parity, stopBits: LINE.stopBits } });
  await bus.start();
  const poller = new MeterPoller({ bus, devices });
  if (poller.rejected.length) throw new Error(poller.rejected.map((r) => r.error.message).join('; '));
  return {
    bus,
    line,
    poller,
    close: async () => {
      await bus.stop();
      await slave.close();
      line.close();
      await pty.close();
    },
  };
}

/** The floor of the optimal plan the poller uses for every point of every device. */
function floorMs(poller: MeterPoller): { ms: number; requests: number } {
  let ms = 0;
  let requests = 0;
  for (const d of poller.devices) {
    for (const r of poller.planFor(d.id)) {
      ms += rtuTransactionFloorMs({ kind: 'read', table: r.table, address: r.address, count: r.count }, LINE, LINE.turnaroundMs);
      requests++;
    }
  }
  return { ms, requests };
}

/** One request per value, the way a simple poller reads a meter table. */
async function naiveCycle(r: Rig): Promise<{ ms: number; requests: number }> {
  const t0 = performance.now();
  const jobs: Array<Promise<unknown>> = [];
  for (const d of r.poller.devices) {
    for (const p of d.points) jobs.push(r.bus.execute(d.unit, { kind: 'read', table: p.table, address: p.address, count: p.length }));
  }
  await Promise.all(jobs);
  return { ms: performance.now() - t0, requests: jobs.length };
}

/**
 * Relay commands issued at random moments of a poll cycle. For each: how many
 * transactions it waited for before it went on the wire (the one in flight,
 * plus any poll that started after it was issued).
 */
async function writeWaits(r: Rig): Promise<{ transactions: number[]; ms: number[]; cycleMs: number }> {
  let inFlight = false;
  const starts: Array<TransactionTrace & { mono: number }> = [];
  const onTrace = (t: TransactionTrace) => {
    if (t.phase === 'start') {
      inFlight = true;
      starts.push({ ...t, mono: performance.now() });
    } else inFlight = false;
  };
  r.bus.on('transaction', onTrace);
  const boards = RELAYS.map((unit) => new RelayBoard(r.bus, { id: `relays-${unit}`, unit }));
  const waits: Array<Promise<{ transactions: number; ms: number }>> = [];
  const t0 = performance.now();
  const cycle = r.poller.pollAllNow();
  let done = false;
  void cycle.then(() => (done = true));
  for (let i = 0; i < WRITES && !done; i++) {
    await new Promise((res) => setTimeout(res, 300 + Math.random() * 500));
    if (done) break;
    const issued = { mono: performance.now(), inFlight, seen: starts.length };
    const board = boards[i % boards.length]!;
    waits.push(
      board.set(1 + (i % 8), i % 2 === 0).then(() => {
        const mine = starts.slice(issued.seen).find((s) => s.priority === 'command' && s.unit === board.config.unit)!;
        const pollsBefore = starts.slice(issued.seen).filter((s) => s.seq < mine.seq && s.priority === 'poll').length;
        return { transactions: (issued.inFlight ? 1 : 0) + pollsBefore, ms: mine.mono - issued.mono };
      }),
    );
  }
  await cycle;
  const cycleMs = performance.now() - t0;
  const results = await Promise.all(waits);
  r.bus.off('transaction', onTrace);
  return { transactions: results.map((x) => x.transactions), ms: results.map((x) => x.ms), cycleMs };
}

const round = (v: number, d = 3) => Number(v.toFixed(d));

const [fast, naive] = await Promise.all([rig('bench-plan'), rig('bench-naive')]);
try {
  const floor = floorMs(fast.poller);
  console.log(`floor of the optimal plan: ${floor.requests} requests, ${round(floor.ms, 1)} ms per cycle`);

  // The naive poller runs on its own bus while the planned one is measured.
  const naiveRun = naiveCycle(naive);

  const healthy: number[] = [];
  for (let i = 0; i < HEALTHY_CYCLES; i++) {
    const rep = await fast.poller.pollAllNow();
    if (rep.failedRequests) throw new Error(`healthy cycle had ${rep.failedRequests} failed requests`);
    healthy.push(rep.durationMs);
    console.log(`healthy cycle ${i + 1}: ${round(rep.durationMs, 1)} ms, ${rep.requests} requests`);
  }
  const healthyMs = median(healthy);

  const writes = await writeWaits(fast);
  console.log(`write cycle: ${round(writes.cycleMs, 1)} ms, ${writes.transactions.length} relay commands`);

  const naiveResult = await naiveRun;
  console.log(`naive cycle: ${round(naiveResult.ms, 1)} ms, ${naiveResult.requests} requests`);

  // One meter dies. The first cycle pays for noticing it; after that it costs one probe per minute.
  const before = fast.bus.deviceStatsOf(DEAD_UNIT)!;
  fast.line.setFaults(DEAD_UNIT, { silent: true });
  const dead: number[] = [];
  for (let i = 0; i < DEAD_CYCLES; i++) {
    const rep = await fast.poller.pollAllNow();
    dead.push(rep.durationMs);
    console.log(`dead-meter cycle ${i + 1}: ${round(rep.durationMs, 1)} ms, ${rep.failedRequests} failed requests`);
  }
  const after = fast.bus.deviceStatsOf(DEAD_UNIT)!;
  const deadStats = { requests: after.requests - before.requests, timeouts: after.timeouts - before.timeouts, skipped: after.skipped - before.skipped };
  // The cycle in which the meter dies pays for noticing it (timeout, retry): that one is reported.
  const dying = dead[0]!;
  const worst = Math.max(...dead);
  const deadMeterFloor = fast.poller.planFor(`meter-${DEAD_UNIT}`).reduce((s, r) => s + rtuTransactionFloorMs({ kind: 'read', table: r.table, address: r.address, count: r.count }, LINE, LINE.turnaroundMs), 0);

  report({
    name: 'modbus.cycle.ratio',
    metric: 'poll cycle / floor of the optimal request plan (median)',
    value: round(healthyMs / floor.ms),
    unit: '× floor',
    target: '<= 1.15',
    baseline: { name: 'modbus.cycle.floor', value: round(floor.ms, 1), unit: 'ms' },
    notes: `median of ${HEALTHY_CYCLES} cycles: ${healthy.map((x) => round(x, 0)).join(', ')} ms; ${floor.requests} requests/cycle; 30 SDM630 × ${fast.poller.devices[0]!.points.length} points + 10 relay boards × 8 coils at 9600 baud, 5 ms turnaround`,
  });
  report({
    name: 'modbus.cycle.naive.ratio',
    metric: 'one-request-per-value poll cycle / the same floor',
    value: round(naiveResult.ms / floor.ms),
    unit: '× floor',
    baseline: { name: 'modbus.cycle.floor', value: round(floor.ms, 1), unit: 'ms' },
    notes: `${naiveResult.requests} requests in ${round(naiveResult.ms, 0)} ms, on an identical bus measured at the same time`,
  });
  report({
    name: 'modbus.deadmeter.slowdown',
    metric: 'the poll cycle in which one meter dies (goes silent) vs the healthy median',
    value: round((dying / healthyMs - 1) * 100, 2),
    unit: '%',
    target: '<= 10',
    baseline: { name: 'modbus.cycle.healthy', value: round(healthyMs, 1), unit: 'ms' },
    notes:
      `cycles ${dead.map((x) => round(x, 0)).join(', ')} ms (the first is the one in which it died, reported; worst of them ${round((worst / healthyMs - 1) * 100, 2)} %); ` +
      `while dead it got ${deadStats.requests} requests (${deadStats.timeouts} timeouts: first try, retry, probes), ${deadStats.skipped} skipped without touching the wire; ` +
      `its own healthy share of the floor was ${round(deadMeterFloor, 0)} ms, so vs a cycle without it the dying cycle costs ${round(((dying - (healthyMs - deadMeterFloor)) / healthyMs) * 100, 2)} %`,
  });
  report({
    name: 'modbus.write.wait',
    metric: 'transactions a relay command waited for before reaching the wire (max)',
    value: Math.max(...writes.transactions),
    unit: 'transactions',
    target: '<= 1',
    notes: `${writes.transactions.length} commands at random moments of a cycle; waited ${writes.transactions.join(',')} transactions; median wait ${round(median(writes.ms), 1)} ms, max ${round(Math.max(...writes.ms), 1)} ms (longest transaction ≈ ${round(rtuTransactionFloorMs({ kind: 'read', table: 'input', address: 0, count: 48 }, LINE, LINE.turnaroundMs), 0)} ms)`,
  });
} finally {
  await Promise.all([fast.close(), naive.close()]);
}
