import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { DriverLogger } from '../serial/logger.js';
import { silentLogger } from '../serial/logger.js';
import { SerialPathTransport, type SerialPathTransportOptions } from '../serial/serialPathTransport.js';
import { MbapRequestReader, RtuRequestReader, mbapFrame, rtuFrame } from './modbusFrames.js';
import type { RelayBoardSimulator } from './relayBoardSimulator.js';

/** A simulated board reachable over the network; stop()/start() is a power cycle of its network side. */
export interface SimulatorTcpServer {
  readonly host: string;
  /** Kept across stop()/start(), so clients reconnect to the same address. */
  readonly port: number;
  connections(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type Framing = 'mbap' | 'rtu';

function attach(sim: RelayBoardSimulator, socket: Socket, framing: Framing): void {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  if (framing === 'mbap') {
    const reader = new MbapRequestReader();
    socket.on('data', (chunk) => {
      const requests = reader.push(chunk);
      if (requests === null) {
        socket.destroy();
        return;
      }
      for (const r of requests) {
        const response = sim.handle(r.unitId, r.pdu);
        if (response) socket.write(mbapFrame(r.transactionId, r.unitId, response));
      }
    });
  } else {
    const reader = new RtuRequestReader();
    socket.on('data', (chunk) => {
      for (const r of reader.push(chunk)) {
        const response = sim.handle(r.unitId, r.pdu);
        if (response) socket.write(rtuFrame(r.unitId, response));
      }
    });
  }
}

async function serveTcp(sim: RelayBoardSimulator, framing: Framing, listen: { host?: string; port?: number }): Promise<SimulatorTcpServer> {
  const host = listen.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = listen.port ?? 0;
  const api: SimulatorTcpServer = {
    host,
    get port() {
      return port;
    },
    connections: () => sockets.size,
    async start() {
      if (server) return;
      const s = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        attach(sim, socket, framing);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      server = s;
      port = (s.address() as AddressInfo).port;
    },
    async stop() {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await api.start();
  return api;
}

/** Modbus TCP (MBAP), like an Ethernet relay board on port 502. */
export function serveModbusTcp(sim: RelayBoardSimulator, listen: { host?: string; port?: number } = {}): Promise<SimulatorTcpServer> {
  return serveTcp(sim, 'mbap', listen);
}

/** RTU frames over TCP, like an RS-485 board behind a transparent serial server. */
export function serveRtuOverTcp(sim: RelayBoardSimulator, listen: { host?: string; port?: number } = {}): Promise<SimulatorTcpServer> {
  return serveTcp(sim, 'rtu', listen);
}

export interface SimulatorSerialEndpoint {
  readonly transport: SerialPathTransport;
  close(): Promise<void>;
}

/**
 * RTU slave on a serial path: the board's end of an RS-485 line, or of a socat pty pair
 * in tests. Reconnects like the real drivers, so unplug/replug can be played.
 */
export function serveRtuOnSerial(sim: RelayBoardSimulator, line: SerialPathTransportOptions, logger: DriverLogger = silentLogger): SimulatorSerialEndpoint {
  const transport = new SerialPathTransport(line, logger);
  const reader = new RtuRequestReader();
  transport.on('data', (chunk) => {
    for (const r of reader.push(chunk)) {
      const response = sim.handle(r.unitId, r.pdu);
      if (response) transport.write(rtuFrame(r.unitId, response)).catch(() => {});
    }
  });
  transport.open();
  return { transport, close: () => transport.close() };
}
