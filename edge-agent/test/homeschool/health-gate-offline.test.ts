import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { FakeClock, PymodbusBoard, openPtyPair, waitFor, type PtyPair } from '@campus/testkit';
import { initIssuerKeys, issueCards, issuerKeyFileNames, loadIssuerKey } from '../../src/cards/index.js';
import { startAccessEdge } from '../access/helpers.js';
import { eventsAfter, waitOnline } from '../access/rig.js';
import { tempDir } from '../helpers/edge.js';
import { startCloudProcess } from '../sync/cloud-process.js';

/**
 * The gate's health reminder works offline: the school's switch and today's declarations
 * came down the change feed earlier; with the cloud gone, a student let in without a
 * declaration still raises `access.health` for the guard, one who declared does not, a
 * student refused at the gate raises nothing, and the gate's decisions are unchanged.
 */
const SITE = 'health-offline';
const CLASS = '初三-1班';
const SCHOOL_TZ = 'Asia/Shanghai';
const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: SCHOOL_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

describe('health reminder at the gate, offline', () => {
  const dir = tempDir('campus-health-gate-');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let inLine: PtyPair;
  let rs485: PtyPair;
  let board: PymodbusBoard;
  let reader: QrReaderSimulator;
  let cards: Record<string, string> = {};
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  const scan = async (text: string) => {
    const from = env.edge.store.events.lastSeq();
    env.clock.set(Date.now());
    await reader.scan(text);
    const decision = await waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'the gate decision');
    // The reminder, when there is one, is appended right after the decision.
    await new Promise((r) => setTimeout(r, 300));
    return { decision, reminders: eventsAfter(env.edge, from, 'access.health') };
  };

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, SITE);
    cleanups.push(() => cloud.stop());
    await cloud.write([
      { kind: 'person', key: 'S1', data: { name: '赵一', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'S2', data: { name: '钱二', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'S3', data: { name: '孙三', roles: ['student'], classId: CLASS, active: false } },
      { kind: 'calendar', key: today(), data: { date: today(), kind: 'makeup_day' } },
      { kind: 'health_policy', key: 'school', data: { requireDeclaration: true } },
      { kind: 'health_declaration', key: 'hd-S1', data: { personId: 'S1', date: today() } },
      // S2 declared yesterday only.
      { kind: 'health_declaration', key: 'hd-S2', data: { personId: 'S2', date: '2000-01-01' } },
    ]);
    inLine = await openPtyPair({ name: 'reader-in' });
    rs485 = await openPtyPair({ name: 'rs485' });
    cleanups.push(() => inLine.close(), () => rs485.close());
    board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    reader = QrReaderSimulator.overSerial({ path: inLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => reader.close());
    const issuerDir = join(dir.path, 'issuer');
    const keysDir = join(dir.path, 'edge-keys');
    await initIssuerKeys(issuerDir, { kid: 'C1' });
    mkdirSync(keysDir, { recursive: true });
    copyFileSync(join(issuerDir, issuerKeyFileNames('C1').publicKey), join(keysDir, issuerKeyFileNames('C1').publicKey));
    const key = await loadIssuerKey(issuerDir, 'C1');
    cards = Object.fromEntries(
      issueCards(
        ['S1', 'S2', 'S3'].map((id, i) => ({ row: i + 2, personId: id, name: id, grade: '初三', className: '1班', photo: null, version: null })),
        key.privateKey,
        key.kid,
      ).map((c) => [c.personId, c.credential]),
    );
    env = await startAccessEdge(
      {
        keysDir,
        keyKinds: { C1: ['card'] },
        zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'off' }],
        gates: [{ id: 'north', no: 1, name: '北门', zone: 'campus', turnstile: { board: 'gate-board', in: 4, out: 5, pulseMs: 200 } }],
        readers: [{ id: 'north-in', gate: 'north', direction: 'in', transport: { kind: 'serial', path: inLine.a, baudRate: 9600 } }],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'gate-board', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { clock: new FakeClock(Date.now()), config: { site: { id: SITE, name: '健康离线校区' }, cloud: { enabled: true, linkFile: cloud.linkFile } } },
    );
    cleanups.push(() => env.cleanup());
    await waitOnline(env.edge);
    const stored = (kind: string, key: string) => env.edge.store.db.prepare('SELECT 1 FROM cloud_records WHERE kind = ? AND key = ?').get(kind, key) !== undefined;
    await waitFor(() => env.edge.access.people.get('S3') && stored('health_policy', 'school') && stored('health_declaration', 'hd-S2'), 'the records on the edge', 30_000);
    await waitFor(() => env.edge.school.calendar.isSchoolDay(today()), 'today a school day on the edge', 30_000);
    // Offline from here on.
    await cloud.stop();
  }, 180_000);

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    dir.remove();
  });

  it('reminds the guard of the student without a declaration today, and of nobody else', async () => {
    const s2 = await scan(cards.S2!);
    expect(s2.decision).toMatchObject({ subject: 'S2', data: { granted: true, direction: 'in' } });
    expect(s2.reminders).toHaveLength(1);
    expect(s2.reminders[0]).toMatchObject({ type: 'access.health', reason: 'access.health.undeclared', severity: 'warning', subject: 'S2', data: { personName: '钱二', gateName: '北门', date: today() } });
    const s1 = await scan(cards.S1!);
    expect(s1.decision).toMatchObject({ subject: 'S1', data: { granted: true } });
    expect(s1.reminders).toEqual([]);
    // Refused at the gate (deactivated): no reminder, only the refusal.
    const s3 = await scan(cards.S3!);
    expect(s3.decision).toMatchObject({ data: { granted: false } });
    expect(s3.reminders).toEqual([]);
  }, 60_000);
});
