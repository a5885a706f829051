/**
 * Gate drivers (issue 3, item 4), measured without the decision engine:
 *  - gate.driver.line_to_relay.p99: last byte of a QR line arriving on a serial port →
 *    the relay board has the Modbus command. 32 gates scan once a second each; every
 *    reader on its own socat pty pair, four 16-channel relay boards each on its own
 *    RS-485 line (pty, RTU, flash pulses). The "decision" is a Map lookup stand-in, so
 *    this is the drivers' share of the 5 ms gate.decision budget. Both ends run in this
 *    one process, so the board's handling time is included: an upper bound.
 *  - gate.driver.reconnect.{serial,tcp}.max: from the device being back (socat
 *    restarted on the same link paths / the TCP serial server listening again) to the
 *    reader's link open, after short outages and after 2.5–3 s ones (retry delay at its
 *    1 s cap). Target: within 2 s.
 *  - gate.driver.garbage.heap_growth: heap after a reader swallowed 32 MB of random
 *    bytes at full speed, against before.
 * GATE_BENCH_SECONDS (default 30) sets the scanning duration.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { QrReader, QrReaderSimulator, createQrReader, type QrScan } from '@campus/device-drivers/qr/index';
import { SerialPathTransport, waitForState } from '@campus/device-drivers/serial/index';
import { ModbusRelayBoard, RelayBoardSimulator, Turnstile, openRelayLine, serveRtuOnSerial } from '@campus/device-drivers/turnstile/index';
import { PtyPair } from '@campus/testkit';
import { median, percentile, report } from './lib.js';

const GATES = 32;
const GATES_PER_BOARD = 8;
const SECONDS = Number(process.env.GATE_BENCH_SECONDS ?? 30);
const cleanups: (() => Promise<void> | void)[] = [];

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(5);
  }
}

/**
 * The same topology with no drivers at all: raw serialport on every pty, a line in
 * triggers an 8-byte write on the board's line, timed until the board end reads it.
 * What this costs is the machine's (ptys, libuv, a busy shared CPU), not ours.
 */
async function rawBaseline(seconds: number): Promise<number[]> {
  const open = async (path: string): Promise<SerialPort> => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.on('error', () => {});
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
    return port;
  };
  const latencies: number[] = [];
  const boardEdge: SerialPort[] = [];
  const waiting: bigint[][] = [];
  for (let b = 0; b < GATES / GATES_PER_BOARD; b++) {
    const line = await PtyPair.start();
    cleanups.push(() => line.dispose());
    const host = await open(line.a);
    const board = await open(line.b);
    const queue: bigint[] = [];
    waiting.push(queue);
    board.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += 8) {
        const t0 = queue.shift();
        if (t0 !== undefined) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    });
    boardEdge.push(host);
  }
  const devices: SerialPort[] = [];
  for (let g = 0; g < GATES; g++) {
    const pair = await PtyPair.start();
    cleanups.push(() => pair.dispose());
    const edge = await open(pair.a);
    const b = Math.floor(g / GATES_PER_BOARD);
    edge.on('data', (chunk: Buffer) => {
      if (chunk[chunk.length - 1] !== 0x0a) return;
      waiting[b]!.push(process.hrtime.bigint());
      boardEdge[b]!.write(Buffer.from([1, 5, 2, 0, 0, 3, 0, 0]));
    });
    devices.push(await open(pair.b));
  }
  await pace(seconds, (i) => devices[i % GATES]!.write(`C1.s.${2024000000 + i}.Zk9vYmFyYmF6cXV4LXNpZ25hdHVyZS1wbGFjZWhvbGRlcg\r\n`));
  await until(() => latencies.length >= GATES * seconds, 10_000, 'baseline lines').catch(() => {});
  return latencies.sort((a, b) => a - b);
}

/** One scan every 1000/GATES ms, round robin over the gates. */
async function pace(seconds: number, scan: (i: number) => void): Promise<void> {
  const tickMs = 1000 / GATES;
  const started = Date.now();
  for (let i = 0; i < GATES * seconds; i++) {
    const wait = started + i * tickMs - Date.now();
    if (wait > 0) await sleep(wait);
    scan(i);
  }
}

async function gateLatency(baseline: number[]): Promise<void> {
  // Relay boards on their RS-485 lines.
  const boards: { sim: RelayBoardSimulator; relay: ModbusRelayBoard }[] = [];
  for (let b = 0; b < GATES / GATES_PER_BOARD; b++) {
    const line = await PtyPair.start();
    cleanups.push(() => line.dispose());
    const sim = new RelayBoardSimulator({ channels: 16, inputs: 0 });
    cleanups.push(() => sim.close());
    const endpoint = serveRtuOnSerial(sim, { path: line.b, baudRate: 9600 });
    cleanups.push(() => endpoint.close());
    // The edge's path: a relay board on the shared Modbus bus manager.
    const bus = openRelayLine({ link: { kind: 'rtu', path: line.a, baudRate: 9600 }, timeoutMs: 500 });
    cleanups.push(() => bus.close());
    await bus.open();
    await until(() => bus.status().state === 'open' && endpoint.transport.state === 'open', 10_000, 'relay line open');
    const relay = new ModbusRelayBoard(bus, { id: `board-${b}`, channels: 16, pulseMode: 'flash' });
    relay.start();
    cleanups.push(() => relay.stop());
    boards.push({ sim, relay });
  }

  // Readers and gates.
  const people = new Map<string, string>();
  const waiting = new Map<string, bigint[]>(); // board:channel -> scan arrival times
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  boards.forEach(({ sim }, b) =>
    sim.on('pulse', (p) => {
      const queue = waiting.get(`${b}:${p.channel}`);
      const t0 = queue?.shift();
      if (t0 !== undefined) latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }),
  );
  const sims: QrReaderSimulator[] = [];
  for (let g = 0; g < GATES; g++) {
    const pair = await PtyPair.start();
    cleanups.push(() => pair.dispose());
    const board = Math.floor(g / GATES_PER_BOARD);
    const slot = g % GATES_PER_BOARD;
    const gate = new Turnstile(boards[board]!.relay, { id: `gate-${g}`, channels: { in: 2 * slot, out: 2 * slot + 1 }, pulseMs: 300 });
    const reader = new QrReader(new SerialPathTransport({ path: pair.a, baudRate: 9600 }), { id: `reader-${g}` });
    cleanups.push(() => reader.close());
    reader.on('scan', (scan: QrScan) => {
      // Stand-in for the decision engine (another module): the card is known, let them in.
      if (!people.has(scan.text)) return;
      const key = `${board}:${2 * slot}`;
      const queue = waiting.get(key) ?? [];
      queue.push(scan.receivedAtNs);
      waiting.set(key, queue);
      void gate.open('in', { scanId: scan.text }).then((o) => o.result === 'pulsed' || failures.push(`${gate.id}: ${o.result}`));
    });
    reader.open();
    const sim = QrReaderSimulator.overSerial({ path: pair.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => sim.close());
    sims.push(sim);
    await waitForState(reader.transport, 'open', 10_000);
    await until(() => sim.connections === 1, 10_000, 'reader line open');
  }

  for (let i = 0; i < GATES * SECONDS; i++) people.set(`C1.s.${String(2024000000 + i)}.Zk9vYmFyYmF6cXV4LXNpZ25hdHVyZS1wbGFjZWhvbGRlcg`, `P${i}`);
  const cards = [...people.keys()];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  await pace(SECONDS, (i) => void sims[i % GATES]!.scan(cards[i]!));
  loopDelay.disable();
  await until(() => latenciesMs.length + failures.length >= GATES * SECONDS, 10_000, 'all openings').catch(() => {});
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  report({
    name: 'gate.driver.line_to_relay.p99',
    metric: 'p99 latency',
    value: round(percentile(sorted, 99)),
    unit: 'ms',
    target: '<= 5',
    p50: round(percentile(sorted, 50)),
    max: round(sorted.at(-1) ?? NaN),
    samples: sorted.length,
    failed: failures.length,
    baseline: { name: 'raw serialport, same topology, no drivers (p99)', value: round(percentile(baseline, 99)), unit: 'ms' },
    baselineP50: round(percentile(baseline, 50)),
    eventLoopDelayP99: round(loopDelay.percentile(99) / 1e6),
    notes: `${GATES} gates x 1 scan/s for ${SECONDS} s; decision replaced by a Map lookup; includes the simulated board's handling`,
  });
}

/** Short outages, and long ones that push the retry delay to its 1 s cap. */
function outageMs(trial: number): number {
  return trial % 2 ? 2500 + 500 * Math.random() : 150 + 400 * Math.random();
}

async function reconnectTimes(): Promise<void> {
  const TRIALS = 8;
  // Serial: socat killed and restarted on the same link paths.
  const pair = await PtyPair.start();
  cleanups.push(() => pair.dispose());
  const serialReader = new QrReader(new SerialPathTransport({ path: pair.a }), { id: 'replug-serial' });
  cleanups.push(() => serialReader.close());
  serialReader.open();
  await waitForState(serialReader.transport, 'open', 10_000);
  const serial: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    await pair.unplug();
    await until(() => serialReader.transport.state !== 'open', 10_000, 'serial loss noticed');
    await sleep(outageMs(i));
    await pair.replug();
    const t0 = performance.now();
    await until(() => serialReader.transport.state === 'open', 10_000, 'serial reopen');
    serial.push(performance.now() - t0);
  }
  report({ name: 'gate.driver.reconnect.serial.max', metric: 'max of trials', value: round(Math.max(...serial)), unit: 'ms', target: '<= 2000', median: round(median(serial)), trials: TRIALS });

  // TCP: the serial server goes away and comes back on the same port.
  const converter = await QrReaderSimulator.asTcpServer({ port: 0 });
  cleanups.push(() => converter.close());
  const tcpReader = createQrReader({ id: 'replug-tcp', transport: { kind: 'tcp', host: '127.0.0.1', port: converter.port } });
  cleanups.push(() => tcpReader.close());
  tcpReader.open();
  await waitForState(tcpReader.transport, 'open', 10_000);
  const tcp: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    await converter.unplug();
    await until(() => tcpReader.transport.state !== 'open', 10_000, 'tcp loss noticed');
    await sleep(outageMs(i));
    await converter.replug();
    const t0 = performance.now();
    await until(() => tcpReader.transport.state === 'open', 10_000, 'tcp reopen');
    tcp.push(performance.now() - t0);
  }
  report({ name: 'gate.driver.reconnect.tcp.max', metric: 'max of trials', value: round(Math.max(...tcp)), unit: 'ms', target: '<= 2000', median: round(median(tcp)), trials: TRIALS });
}

async function garbageHeap(): Promise<void> {
  const pair = await PtyPair.start();
  cleanups.push(() => pair.dispose());
  const reader = new QrReader(new SerialPathTransport({ path: pair.a }), { id: 'spew' });
  cleanups.push(() => reader.close());
  let bad = 0;
  reader.on('bad-frame', () => bad++);
  reader.open();
  const sim = QrReaderSimulator.overSerial({ path: pair.b });
  cleanups.push(() => sim.close());
  await waitForState(reader.transport, 'open', 10_000);
  await until(() => sim.connections === 1, 10_000, 'spew line open');
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const total = 32 * 1024 * 1024;
  await sim.spewGarbage(total, 64 * 1024);
  await until(() => reader.status().framer.bytesIn >= total, 60_000, 'all garbage read');
  gc?.();
  const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  report({
    name: 'gate.driver.garbage.heap_growth',
    metric: 'heap growth',
    value: round(growthMb),
    unit: 'MB',
    target: '<= 5',
    badFrameReports: bad,
    notes: gc ? '32 MB of random bytes through one reader' : 'run with --expose-gc for a meaningful number',
  });
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

try {
  const baseline = await rawBaseline(Math.min(SECONDS, 15));
  for (const c of cleanups.splice(0).reverse()) await c();
  await gateLatency(baseline);
  await reconnectTimes();
  await garbageHeap();
} finally {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // best effort
    }
  }
}
