import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { startEdge, type Edge } from '../../src/edge.js';
import type { BusDomain } from '../../src/bus/domain.js';
import { initIssuerKeys, issueCards, loadIssuerKey } from '../../src/cards/index.js';
import { ADMIN, ApiClient, startTestEdge, tempDir, waitFor } from '../helpers/edge.js';
import { ZONES } from '../access/helpers.js';
import { eventsAfter } from '../access/rig.js';
import { startCloudProcess } from '../sync/cloud-process.js';
import { countPdfPages, decodeQrOnPage, pdfText } from '../cards/fixtures.js';

/**
 * Pickup passes printed offline: the school's edge holds the card issuer's private key
 * (bus.pickupPassKey), the attendant prints a sheet of signed passes (PDF on the card
 * sheets' grid) for the pickup persons the cloud sent; the QR codes in the PDF, read back
 * by zbar from the rendered page, are the passes the door reader (a socat pty) accepts at
 * the handover stop. A pass reissued in the cloud (passVersion raised) is refused.
 */
const ZHANG = '2026010001';
const LI = '2026010002';
const WANG = '2026010003';
const ACCEPT = 'A1';
const REFUSE = 'D0';

describe('school bus: pickup passes printed offline and accepted at the door', () => {
  const dir = tempDir('campus-bus-passes-');
  const dataDir = join(dir.path, 'edge');
  const keysDir = join(dataDir, 'keys');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let edge: Edge;
  let bus: BusDomain;
  let attendant: ApiClient;
  let door: PtyPair;
  let reader: QrReaderSimulator;
  let cards: Map<string, string>;

  /** The sheet as the attendant's screen downloads it (raw bytes, the session's cookie and CSRF token). */
  async function printSheet(body: unknown): Promise<{ status: number; pdf: Buffer; json: any; headers: Headers }> {
    const client = attendant as unknown as { cookie: string | null; csrf: string | null };
    const r = await fetch(`${edge.httpUrl}/api/bus/pickup-passes/sheet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(client.cookie ? { cookie: client.cookie } : {}), ...(client.csrf ? { 'x-csrf-token': client.csrf } : {}) },
      body: JSON.stringify(body),
    });
    const bytes = Buffer.from(await r.arrayBuffer());
    return { status: r.status, pdf: bytes, json: r.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : null, headers: r.headers };
  }

  /**
   * zbar on the rendered page runs synchronously for seconds; let the event loop see the
   * keep-alive sockets the edge closed meanwhile before the next request reuses one.
   */
  async function decode(file: string): Promise<string[]> {
    const found = decodeQrOnPage(file, 1, dir.path);
    await new Promise((r) => setTimeout(r, 100));
    return found;
  }

  async function doorScan(text: string): Promise<{ reason: string; feedback: string }> {
    const before = edge.store.events.after(0, 1_000_000).at(-1)?.seq ?? 0;
    const cmds = reader.received().length;
    await reader.scan(text);
    await waitFor(() => reader.received().length > cmds, 5000);
    const ev = eventsAfter(edge, before, 'bus.');
    return { reason: ev.at(-1)?.reason ?? 'none', feedback: reader.received().subarray(cmds).toString('hex').toUpperCase() };
  }

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'bus-passes-test');
    await initIssuerKeys(keysDir, { kid: 'K1' });
    const issuer = await loadIssuerKey(keysDir, 'K1');
    cards = new Map(issueCards([ZHANG, LI, WANG].map((id) => ({ row: 2, personId: id, name: id, grade: null, className: null, photo: null, version: 1 })), issuer.privateKey, issuer.kid).map((c) => [c.personId, c.credential]));
    await cloud.write([
      { kind: 'person', key: ZHANG, data: { name: '张小明', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: LI, data: { name: '李小红', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: WANG, data: { name: '王小刚', roles: ['student'], classId: '一年级-1班' } },
      ...[ZHANG, LI, WANG].map((id) => ({ kind: 'card', key: id, data: { personId: id, version: 1, revoked: false } })),
      { kind: 'bus_vehicle', key: 'V1', data: { plate: '沪A12345', seats: 45 } },
      {
        kind: 'bus_route',
        key: 'R1',
        data: { name: '1号线', vehicleId: 'V1', stops: [{ id: 'S1', name: '幸福小区', lat: 31.2, lon: 121.4, handover: true }, { id: 'SCH', name: '学校', lat: 31.22, lon: 121.4, depot: true }] },
      },
      ...[ZHANG, LI].map((id) => ({ kind: 'bus_assignment', key: `a-${id}`, data: { personId: id, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-01-01' } })),
      { kind: 'pickup_person', key: 'pp-zhang-mum', data: { studentId: ZHANG, name: '张妈妈', relation: '母亲', passVersion: 0 } },
      { kind: 'pickup_person', key: 'pp-zhang-grandpa', data: { studentId: ZHANG, name: '张爷爷', relation: '祖父', passVersion: 3 } },
      { kind: 'pickup_person', key: 'pp-li-aunt', data: { studentId: LI, name: '李阿姨', relation: '姨妈', passVersion: 0 } },
    ]);
    door = await openPtyPair({ name: 'door' });
    reader = QrReaderSimulator.overSerial({ path: door.b, baudRate: 9600 }, { suffix: 'CRLF' });
    edge = await startEdge(
      {
        dataDir,
        site: { id: 'bus-passes-test', name: '阳光小学' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, keysDir },
        energy: { enabled: false },
        cloud: { enabled: true, linkFile: cloud.linkFile },
        bus: {
          enabled: true,
          keysDir,
          pickupPassKey: 'keys/issuer-K1.key',
          readers: [{ id: 'door', transport: { kind: 'serial', path: door.a, baudRate: 9600 }, feedback: { granted: ACCEPT, denied: REFUSE } }],
        },
      } as never,
      { logger: pino({ level: 'silent' }), users: [{ username: 'attendant', password: 'attendant-pass-1', roles: ['transport'], displayName: '陈老师' }] },
    );
    bus = edge.domains.get('bus') as BusDomain;
    attendant = new ApiClient(edge.httpUrl);
    expect((await attendant.login('attendant', 'attendant-pass-1')).status).toBe(200);
    const s = bus.service!;
    await waitFor(() => s.db.pickupPersons(LI).length === 1 && s.db.pickupPersons(ZHANG).length === 2 && s.db.assignments().length === 2, 30_000, 50);
    await waitFor(() => s.readers[0]?.transport.state === 'open' && reader.connections === 1, 10_000);
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await reader?.close();
    await door?.close();
    await cloud?.stop();
    dir.remove();
  });

  it('prints the sheet; the QR codes in the PDF are the signed passes and hand the child over at the door', async () => {
    const sheet = await printSheet({ studentIds: [ZHANG] });
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toContain('application/pdf');
    expect(sheet.headers.get('x-pickup-passes')).toBe('2');
    const file = join(dir.path, 'passes.pdf');
    writeFileSync(file, sheet.pdf);
    expect(countPdfPages(sheet.pdf)).toBe(1);
    const text = pdfText(file);
    for (const s of ['阳光小学 校车接送证', '张妈妈', '关系：母亲', '张爷爷', '关系：祖父', '接送：张小明', '第3版']) expect(text).toContain(s);
    expect(text).not.toContain('李阿姨');
    const qrs = await decode(file);
    expect(qrs).toHaveLength(2);
    expect(qrs.every((q) => q.startsWith('SP1:'))).toBe(true);

    // The afternoon trip: 张小明 gets off at 幸福小区 (a handover stop) and waits; his mother shows her printed pass.
    expect((await attendant.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'afternoon' })).status).toBe(201);
    expect(await doorScan(cards.get(ZHANG)!)).toMatchObject({ reason: 'bus.boarded', feedback: ACCEPT });
    expect(await doorScan(cards.get(LI)!)).toMatchObject({ reason: 'bus.boarded', feedback: ACCEPT });
    const waiting = await attendant.req('POST', '/api/bus/trips/current/scan', { text: cards.get(ZHANG)!, kind: 'alight' });
    expect(waiting.json.result.reason).toBe('bus.handover.waiting');
    // Which QR is whose: try them at the door; the grandfather's (version 3) and the mother's both belong to 张小明.
    const first = await doorScan(qrs[0]!);
    expect(first).toEqual({ reason: 'bus.handed_over', feedback: ACCEPT });
    const handed = eventsAfter(edge, 0, 'bus.handover').find((e) => e.reason === 'bus.handed_over')!;
    expect(handed).toMatchObject({ subject: ZHANG, data: { method: 'pass', pickupKey: expect.stringMatching(/^pp-zhang-/) } });

    // 李小红's aunt: printed next; the cloud reissues her pass (passVersion 1) before she comes: the old print is refused.
    const li = await printSheet({ keys: ['pp-li-aunt'] });
    expect(li.status).toBe(200);
    const liFile = join(dir.path, 'li.pdf');
    writeFileSync(liFile, li.pdf);
    const [liPass] = await decode(liFile);
    expect(liPass).toMatch(/^SP1:/);
    await cloud.write([{ kind: 'pickup_person', key: 'pp-li-aunt', data: { studentId: LI, name: '李阿姨', relation: '姨妈', passVersion: 1 } }]);
    await waitFor(() => bus.service!.db.pickupPersons(LI)[0]?.passVersion === 1, 30_000, 50);
    expect((await attendant.req('POST', '/api/bus/trips/current/scan', { text: cards.get(LI)!, kind: 'alight' })).json.result.reason).toBe('bus.handover.waiting');
    expect(await doorScan(liPass!)).toEqual({ reason: 'bus.handover.pass_revoked', feedback: REFUSE });
    // Reprinted: the new pass works.
    const again = await printSheet({ keys: ['pp-li-aunt'] });
    writeFileSync(liFile, again.pdf);
    const [newPass] = await decode(liFile);
    expect(newPass).not.toBe(liPass);
    expect(await doorScan(newPass!)).toEqual({ reason: 'bus.handed_over', feedback: ACCEPT });
  }, 90_000);

  it('refuses what cannot be printed with bilingual errors, and keeps running', async () => {
    const unknown = await printSheet({ keys: ['pp-nobody'] });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'bus.passes.unknown', message: { 'zh-CN': '没有接送人记录 pp-nobody', en: 'No pickup person record pp-nobody' } });
    const none = await printSheet({ studentIds: [WANG] });
    expect(none.status).toBe(404);
    expect(none.json.error.message['zh-CN']).toContain('没有可打印的接送人');
    expect((await printSheet({ studentIds: 'all' })).status).toBe(400);

    // A bus box without the issuer key (the usual case) refuses to print.
    const keys = tempDir('campus-bus-nokey-');
    const plain = await startTestEdge({ energy: { enabled: false }, bus: { enabled: true, keysDir: keys.path } } as never, { logger: pino({ level: 'silent' }) });
    try {
      const admin = new ApiClient(plain.httpUrl);
      expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
      const r = await admin.req('POST', '/api/bus/pickup-passes/sheet', {});
      expect(r.status).toBe(409);
      expect(r.json.error).toMatchObject({ code: 'bus.passes.no_key', message: { 'zh-CN': '本机不能签发接送证：未配置签发密钥（bus.pickupPassKey）' } });
    } finally {
      await plain.cleanup();
      keys.remove();
    }
    expect((await fetch(`${edge.httpUrl}/healthz`)).status).toBeLessThan(600);
    expect(bus.service!.ready).toBe(true);
  }, 60_000);
});
