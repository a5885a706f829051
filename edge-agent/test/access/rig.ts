import { openPtyPair, waitFor, type PtyPair } from '@campus/testkit';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { RelayBoardSimulator, serveRtuOnSerial, type SimulatorSerialEndpoint } from '@campus/device-drivers/turnstile/index';
import type { AccessConfigInput } from '../../src/access/config.js';
import type { StoredEvent } from '../../src/store/index.js';
import type { Edge } from '../../src/edge.js';

/**
 * Gate hardware for tests, all real: each reader on its own socat pty pair (the QR
 * simulator plays the module on the far end), one RS-485 line (pty pair) to a Modbus RTU
 * relay board simulator. `config` is the edge's access hardware config for it.
 */
export interface RigReader {
  id: string;
  gate: string;
  direction: 'in' | 'out';
  line: PtyPair;
  sim: QrReaderSimulator;
}

export interface Rig {
  readers: Map<string, RigReader>;
  rs485: PtyPair;
  board: RelayBoardSimulator;
  boardEnd: SimulatorSerialEndpoint;
  config: Pick<AccessConfigInput, 'readers' | 'relayBuses' | 'relayBoards'>;
  close(): Promise<void>;
}

export const FEEDBACK = { granted: 'A1', denied: 'D0' } as const;

export async function startRig(readers: Array<{ id: string; gate: string; direction: 'in' | 'out' }>): Promise<Rig> {
  const rs485 = await openPtyPair({ name: 'rs485' });
  const board = new RelayBoardSimulator({ channels: 8, inputs: 8 });
  const boardEnd = serveRtuOnSerial(board, { path: rs485.b, baudRate: 9600 });
  const map = new Map<string, RigReader>();
  for (const r of readers) {
    const line = await openPtyPair({ name: r.id });
    const sim = QrReaderSimulator.overSerial({ path: line.b, baudRate: 9600 }, { suffix: 'CRLF' });
    map.set(r.id, { ...r, line, sim });
  }
  return {
    readers: map,
    rs485,
    board,
    boardEnd,
    config: {
      readers: readers.map((r) => ({
        id: r.id,
        gate: r.gate,
        direction: r.direction,
        transport: { kind: 'serial' as const, path: map.get(r.id)!.line.a, baudRate: 9600 },
        feedback: { granted: FEEDBACK.granted, denied: FEEDBACK.denied },
      })),
      relayBuses: [{ id: 'rs485-1', link: { kind: 'rtu' as const, path: rs485.a, baudRate: 9600 }, timeoutMs: 300 }],
      relayBoards: [{ id: 'board-1', bus: 'rs485-1', unitId: 1, channels: 8, pulseMode: 'flash' as const }],
    },
    async close() {
      for (const r of map.values()) {
        await r.sim.close().catch(() => undefined);
        await r.line.close();
      }
      await boardEnd.close();
      board.close();
      await rs485.close();
    },
  };
}

export { waitFor };

/** Events of a type appended after `afterSeq`, oldest first. */
export function eventsAfter(edge: Edge, afterSeq: number, typePrefix: string): StoredEvent[] {
  return edge.store.events
    .after(afterSeq, 10_000)
    .filter((e) => e.type.startsWith(typePrefix));
}

/** Waits until every reader and the relay bus report open. */
export async function waitOnline(edge: Edge): Promise<void> {
  await waitFor(() => {
    const hw = edge.access.hardware;
    if (!hw) return false;
    return hw.readers().every(({ reader }) => reader.transport.state === 'open') && hw.boards().every((b) => b.status().state === 'open');
  }, 'readers and relay bus open');
}
