import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCredential } from '@campus/protocol/credentials/index';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { RelayBoardSimulator, serveModbusTcp, type SimulatorTcpServer } from '@campus/device-drivers/turnstile/index';
import type { AccessConfigInput } from './config.js';
import { importRoster } from './roster/import.js';
import type { AccessService } from './service.js';

const DEMO_KID = 'D1';

/**
 * Gate hardware for the demo campus, simulated but spoken to through the real drivers:
 * QR readers as TCP serial servers (what a serial-to-Ethernet converter looks like) and
 * a Modbus TCP relay board. The demo also plays the school's card office, so it holds
 * an issuer key (in dataDir/demo-issuer) that a real edge never has.
 */
export class DemoGates {
  readonly readers = new Map<string, QrReaderSimulator>();
  readonly board = new RelayBoardSimulator({ channels: 8, inputs: 8 });
  #server: SimulatorTcpServer | null = null;
  #key: KeyObject | null = null;

  /** Starts the simulators and fills `raw.access` with zones, gates and hardware unless the config has gates already. */
  static async start(raw: Record<string, unknown>, dataDir: string): Promise<DemoGates | null> {
    const access = (raw.access ??= {}) as AccessConfigInput;
    if ((access.gates ?? []).length > 0) return null;
    const demo = new DemoGates();
    demo.#key = demo.#issuerKey(dataDir, access.keysDir ?? 'keys');
    demo.#server = await serveModbusTcp(demo.board, { host: '127.0.0.1', port: 0 });
    for (const id of ['east-in', 'east-out', 'dorm-in', 'dorm-out']) {
      demo.readers.set(id, await QrReaderSimulator.asTcpServer({ host: '127.0.0.1', port: 0 }, { suffix: 'CRLF' }));
    }
    const tcp = (id: string) => ({ kind: 'tcp' as const, host: '127.0.0.1', port: demo.readers.get(id)!.port });
    Object.assign(access, {
      zones: [
        { id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'soft' },
        { id: 'dorm-a', no: 2, name: '宿舍A栋', kind: 'dormitory', antiPassback: 'soft' },
      ],
      gates: [
        { id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'demo-board', in: 0, out: 1 } },
        { id: 'dorm-a-door', no: 2, name: '宿舍A栋门', zone: 'dorm-a', turnstile: { board: 'demo-board', in: 2, out: 3 } },
      ],
      readers: [
        { id: 'east-in', gate: 'east', direction: 'in', transport: tcp('east-in') },
        { id: 'east-out', gate: 'east', direction: 'out', transport: tcp('east-out') },
        { id: 'dorm-in', gate: 'dorm-a-door', direction: 'in', transport: tcp('dorm-in') },
        { id: 'dorm-out', gate: 'dorm-a-door', direction: 'out', transport: tcp('dorm-out') },
      ],
      relayBuses: [{ id: 'demo-relay', link: { kind: 'tcp', host: '127.0.0.1', port: demo.#server.port } }],
      relayBoards: [{ id: 'demo-board', bus: 'demo-relay', unitId: 1, channels: 8, pulseMode: 'flash' }],
    } satisfies AccessConfigInput);
    return demo;
  }

  card(personId: string, cardVersion = 1): string {
    return encodeCredential({ kind: 'card', personId, cardVersion }, this.#key!, DEMO_KID);
  }

  async scan(readerId: string, text: string): Promise<void> {
    await this.readers.get(readerId)?.scan(text);
  }

  async garbage(readerId: string): Promise<void> {
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

export const DEMO_ROSTER = [
  '学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系',
  '2026010101,王小明,学生,初一,1班,否,,,',
  '2026010102,李小红,学生,初一,1班,是,宿舍A栋,,',
  '2026010103,张伟,学生,初一,1班,否,,,',
  '2026010104,刘洋,学生,初一,1班,是,宿舍A栋,,',
  '2026010105,陈静,学生,初一,1班,否,,,',
  '2026010201,赵磊,学生,初一,2班,否,,,',
  '2026010202,孙悦,学生,初一,2班,是,宿舍A栋,,',
  '2026010203,周杰,学生,初一,2班,否,,,',
  '2026010204,吴敏,学生,初一,2班,否,,,',
  'T0001,郑老师,教师,,,,,,',
  'S0001,钱师傅,职工,,,,,,',
  'P0001,王爸爸,家长,,,,,2026010101,父亲',
].join('\n');

/** A roster, a timetable and a curfew for the demo, the first time it starts. */
export function seedDemoSchool(s: AccessService): void {
  if (s.people.size > 0) return;
  importRoster(s.db, s.people, { fileName: 'demo.csv', bytes: Buffer.from(DEMO_ROSTER) }, { dormitories: s.dormitories() });
  const grade = s.people.gradeByName('初一');
  if (grade) {
    s.calendar.replaceTimetables([
      { gradeId: grade.id, weekday: null, entryStart: '07:00', lateAfter: '07:40', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [{ start: '11:50', end: '13:00', mayLeave: 'day_students' }] },
    ]);
  }
  s.calendar.replaceCurfews([
    { zone: 'dorm-a', kind: 'curfew', start: '22:30', end: '06:00', days: 'all' },
    { zone: 'dorm-a', kind: 'closed', start: '08:00', end: '11:50', days: 'school_days' },
  ]);
  // 刘洋 lost a card: version 1 is refused from now on.
  s.people.revokeCard('2026010104', '演示：卡片挂失');
}
