import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCredential } from '@campus/protocol/credentials/index';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { RelayBoardSimulator, serveModbusTcp, type SimulatorTcpServer } from '@campus/device-drivers/turnstile/index';
import { DEMO_READERS, type DemoGatePorts, type DemoReaderId } from './demo-school.js';

const DEMO_KID = 'D1';

/**
 * Gate hardware for the demo campus, simulated but spoken to through the real drivers:
 * QR readers as TCP serial servers (what a serial-to-Ethernet converter looks like) and
 * a Modbus TCP relay board. The demo also plays the school's card office, so it holds
 * an issuer key (in dataDir/demo-issuer) that a real edge never has; the edge gets the
 * public half in its keys directory, as from a real card office.
 * Runs in the demo's device process, apart from the edge.
 */
export class DemoGates {
  readonly readers = new Map<DemoReaderId, QrReaderSimulator>();
  readonly board = new RelayBoardSimulator({ channels: 8, inputs: 8 });
  #server: SimulatorTcpServer | null = null;
  #key: KeyObject | null = null;

  /** `keysDir` is the edge's access.keysDir (relative to dataDir unless absolute). */
  static async start(opts: { dataDir: string; keysDir: string }): Promise<DemoGates> {
    const demo = new DemoGates();
    demo.#key = demo.#issuerKey(opts.dataDir, opts.keysDir);
    demo.#server = await serveModbusTcp(demo.board, { host: '127.0.0.1', port: 0 });
    for (const id of DEMO_READERS) {
      demo.readers.set(id, await QrReaderSimulator.asTcpServer({ host: '127.0.0.1', port: 0 }, { suffix: 'CRLF' }));
    }
    return demo;
  }

  ports(): DemoGatePorts {
    const readers = Object.fromEntries(DEMO_READERS.map((id) => [id, this.readers.get(id)!.port])) as Record<DemoReaderId, number>;
    return { readers, relayBoard: this.#server!.port };
  }

  card(personId: string, cardVersion = 1): string {
    return encodeCredential({ kind: 'card', personId, cardVersion }, this.#key!, DEMO_KID);
  }

  async scan(readerId: DemoReaderId, text: string): Promise<void> {
    await this.readers.get(readerId)?.scan(text);
  }

  /** Line noise, as a reader with a bad cable sends. */
  async garbage(readerId: DemoReaderId): Promise<void> {
    await this.readers.get(readerId)?.write(Buffer.from([0x13, 0x9f, 0x00, 0x41, 0x0d, 0x0a]));
  }

  async stop(): Promise<void> {
    for (const r of this.readers.values()) await r.close().catch(() => undefined);
    await this.#server?.stop();
    this.board.close();
  }

  #issuerKey(dataDir: string, keysDir: string): KeyObject {
    const own = join(dataDir, 'demo-issuer');
    const file = join(own, `issuer-${DEMO_KID}.key`);
    let key: KeyObject;
    if (existsSync(file)) key = createPrivateKey(readFileSync(file, 'utf8'));
    else {
      mkdirSync(own, { recursive: true, mode: 0o700 });
      key = generateKeyPairSync('ed25519').privateKey;
      writeFileSync(file, key.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
    }
    const pubDir = keysDir.startsWith('/') ? keysDir : join(dataDir, keysDir);
    mkdirSync(pubDir, { recursive: true });
    writeFileSync(join(pubDir, `issuer-${DEMO_KID}.pub`), createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString());
    return key;
  }
}
