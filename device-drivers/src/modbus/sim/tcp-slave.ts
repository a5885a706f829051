import { createServer, type Server, type Socket } from 'node:net';
import type { SimulatedModbusLine } from './line.js';
import { RtuResponder } from './rtu-responder.js';

export interface TcpSlaveOptions {
  /** 'tcp': Modbus TCP (MBAP); 'rtu': RTU frames over TCP, as a serial server passes them. */
  framing: 'tcp' | 'rtu';
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface TcpSlave {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** Stops listening and drops every client (a pulled network cable, a gateway reboot). */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /** Drops the clients but keeps listening. */
  dropClients(): void;
}

/** Serves a simulated line over TCP, as a Modbus TCP device or a serial server. */
export async function startTcpSlave(line: SimulatedModbusLine, options: TcpSlaveOptions): Promise<TcpSlave> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = options.port ?? 0;

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const cleanup: Array<() => void> = [];
    if (options.framing === 'rtu') {
      const responder = new RtuResponder(line, (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      });
      socket.on('data', (c: Buffer) => responder.onData(c));
      cleanup.push(() => responder.close());
    } else {
      let buf = Buffer.alloc(0);
      socket.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 7) {
          const length = buf.readUInt16BE(4);
          if (buf.readUInt16BE(2) !== 0 || length < 2 || length > 254) {
            socket.destroy();
            return;
          }
          if (buf.length < 6 + length) break;
          const txId = buf.readUInt16BE(0);
          const unit = buf[6]!;
          const pdu = Buffer.from(buf.subarray(7, 6 + length));
          buf = buf.subarray(6 + length);
          const reply = line.respondPdu(unit, pdu, Date.now());
          if (!reply) continue;
          const out = Buffer.alloc(7 + reply.length);
          out.writeUInt16BE(txId, 0);
          out.writeUInt16BE(0, 2);
          out.writeUInt16BE(reply.length + 1, 4);
          out[6] = unit;
          reply.copy(out, 7);
          const bytes = line.take(unit, 'shortFrames') ? out.subarray(0, out.length - 2) : out;
          const send = () => {
            if (!socket.destroyed) socket.write(bytes);
          };
          const delay = line.extraDelayOf(unit);
          if (delay > 0) setTimeout(send, delay);
          else setImmediate(send);
        }
      });
    }
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      for (const c of cleanup) c();
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        const addr = s.address();
        if (addr && typeof addr === 'object') port = addr.port;
        server = s;
        resolve();
      });
    });

  const dropClients = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  await listen();
  return {
    host,
    get port() {
      return port;
    },
    get connections() {
      return sockets.size;
    },
    close: async () => {
      dropClients();
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    reopen: async () => {
      if (!server) await listen();
    },
    dropClients,
  };
}
