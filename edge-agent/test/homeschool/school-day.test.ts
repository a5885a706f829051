import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import jsQR from 'jsqr';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { FakeClock, PymodbusBoard, appGuardianSignIn, appStaffSignIn, openPtyPair, waitFor, type PtyPair } from '@campus/testkit';
import { createTempDatabase, postgresUrl, type TempDatabase } from '@campus/testkit/postgres';
import { initIssuerKeys, issueCards, issuerKeyFileNames, loadIssuerKey } from '../../src/cards/index.js';
import { startAccessEdge } from '../access/helpers.js';
import { eventsAfter, waitOnline } from '../access/rig.js';
import { tempDir } from '../helpers/edge.js';
import { startCloudProcess } from '../sync/cloud-process.js';

/**
 * The school day of the home-school app (issue 15, "Done means"): the cloud on PostgreSQL
 * as its own process, a real edge gate (QR readers on socat ptys, the turnstile relay on
 * a pymodbus RTU board), and the app in Chromium on phone viewports for the parent, the
 * head teacher and the nurse; the guard's side is the gate itself and the edge's list of
 * expected visitors.
 *
 * A leave applied by the mother, approved by the head teacher, used at the gate and
 * returned late (the "not back" alert reaches the head teacher and the mother by SMS);
 * a visit applied, approved, and the pass QR from the app's image used at the gate; roll
 * call flags a child who passed the gate but is not in class (SMS to the head teacher);
 * a class announcement read by most guardians (in the app and through its API), with the
 * one reminder to the one who has not (an alert in her app); medical notes entered by the
 * mother, opened by the head teacher with a reason, the read listed in the mother's app;
 * the nurse's roll-up of the morning check.
 */
const SITE = 'school-day';
const CLASS = '初二-3班';
const SCHOOL_TZ = 'Asia/Shanghai';
const PW = 'school-day-pw-1';
const MUM = '13800139001';
const HT_PHONE = '13800139009';
const DAD2 = '13800139002'; // 王小明's father
const GRAN2 = '13800139003'; // 王小明's grandmother
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: SCHOOL_TZ };

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: SCHOOL_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
/** "YYYY-MM-DDTHH:MM" in the school's zone, for the app's datetime-local inputs. */
const localInput = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: SCHOOL_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms).replace(' ', 'T');

interface Sms {
  to: string;
  text: string;
  kind: string;
}

const pgUrl = await postgresUrl();

describe.skipIf(pgUrl === null || !existsSync(CHROMIUM))('a school day across parent, head teacher, guard (gate) and nurse', () => {
  const dir = tempDir('campus-school-day-');
  let db: TempDatabase;
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let inLine: PtyPair;
  let outLine: PtyPair;
  let rs485: PtyPair;
  let board: PymodbusBoard;
  let inReader: QrReaderSimulator;
  let outReader: QrReaderSimulator;
  let browser: Browser;
  let cards: Record<string, string> = {};
  const sms: Sms[] = [];
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let adminCookie = '';
  let adminCsrf = '';

  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${cloud.link.cloudUrl}/api/staff${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie: adminCookie, ...(method === 'GET' ? {} : { 'x-csrf-token': adminCsrf }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
    if (set) adminCookie = set.split(';')[0]!;
    const json = (await r.json().catch(() => null)) as any;
    if (json?.csrfToken) adminCsrf = json.csrfToken;
    return { status: r.status, json };
  };
  const scan = async (reader: QrReaderSimulator, text: string) => {
    const from = env.edge.store.events.lastSeq();
    env.clock.set(Date.now());
    await reader.scan(text);
    return waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'the gate decision');
  };
  const phonePage = async (): Promise<Page> => {
    const ctx = await browser.newContext(PHONE);
    cleanups.push(() => ctx.close());
    return ctx.newPage();
  };
  const parentSignIn = async (phone: string) => {
    const page = await phonePage();
    await appGuardianSignIn(page, `${cloud.link.cloudUrl}/parent/`, phone, () => sms);
    return page;
  };
  /** A guardian who reads in the app's API instead of a browser: the same code sign-in, the bearer token. */
  const guardianApi = async (phone: string) => {
    const home = `${cloud.link.cloudUrl}/api/home`;
    const before = sms.length;
    expect((await fetch(`${home}/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) })).status).toBe(202);
    const msg = await waitFor(() => sms.slice(before).find((m) => m.to === phone && m.kind === 'otp'), `the code SMS to ${phone}`);
    const s = await fetch(`${home}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code: /(\d{6})/.exec(msg.text)![1] }) });
    expect(s.status).toBe(201);
    const token = ((await s.json()) as { guardian: { token: string } }).guardian.token;
    return async (path: string) => {
      const r = await fetch(`${home}/guardian${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, json: (await r.json()) as any };
    };
  };
  const staffSignIn = async (username: string) => {
    const page = await phonePage();
    await appStaffSignIn(page, cloud.link.cloudUrl, username, PW);
    return page;
  };

  beforeAll(async () => {
    db = await createTempDatabase(pgUrl!);
    cleanups.push(() => db.drop());
    // The SMS gateway: records what the cloud sends (sign-in codes, alerts).
    const gateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        sms.push(JSON.parse(body) as Sms);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => gateway.close(r)));
    const smsUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
    cloud = await startCloudProcess(dir.path, SITE, { DATABASE_URL: db.url }, { notices: { quietHours: null }, channels: { sms: { url: smsUrl } } });
    cleanups.push(() => cloud.stop());
    await cloud.write([
      { kind: 'person', key: 'S1', data: { name: '李小红', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'S2', data: { name: '王小明', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'G1', data: { name: '李妈妈', roles: ['guardian'], phone: MUM } },
      { kind: 'person', key: 'G2', data: { name: '王爸爸', roles: ['guardian'], phone: DAD2 } },
      { kind: 'person', key: 'G3', data: { name: '王奶奶', roles: ['guardian'], phone: GRAN2 } },
      { kind: 'person', key: 'T1', data: { name: '陈老师', roles: ['teacher'], classId: CLASS } },
      { kind: 'guardianship', key: 'S1:G1', data: { studentId: 'S1', guardianId: 'G1', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'guardianship', key: 'S2:G2', data: { studentId: 'S2', guardianId: 'G2', relation: '父亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'guardianship', key: 'S2:G3', data: { studentId: 'S2', guardianId: 'G3', relation: '祖母', mayPickUp: false, receivesNotices: true } },
      { kind: 'calendar', key: today(), data: { date: today(), kind: 'makeup_day' } },
    ]);
    expect((await cloud.admin(`/api/admin/schools/${cloud.link.schoolId}/accounts`, { method: 'POST', body: JSON.stringify({ username: 'day-admin', displayName: '管理员', password: PW }) })).status).toBe(201);
    expect((await admin('POST', '/session', { username: 'day-admin', password: PW })).status).toBe(201);
    expect((await admin('POST', '/accounts', { username: 'day-ht', displayName: '陈老师', personKey: 'T1', password: PW, roles: ['head_teacher'], classes: [CLASS], phone: HT_PHONE })).status).toBe(201);
    expect((await admin('POST', '/accounts', { username: 'day-nurse', displayName: '校医周', password: PW, roles: ['nurse'] })).status).toBe(201);
    const passKey = await admin('GET', `/schools/${cloud.link.schoolId}/visits/pass-key`);
    expect(passKey.status).toBe(200);

    inLine = await openPtyPair({ name: 'reader-in' });
    outLine = await openPtyPair({ name: 'reader-out' });
    rs485 = await openPtyPair({ name: 'rs485' });
    cleanups.push(() => inLine.close(), () => outLine.close(), () => rs485.close());
    board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    inReader = QrReaderSimulator.overSerial({ path: inLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    outReader = QrReaderSimulator.overSerial({ path: outLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => inReader.close(), () => outReader.close());

    const issuerDir = join(dir.path, 'issuer');
    const keysDir = join(dir.path, 'edge-keys');
    await initIssuerKeys(issuerDir, { kid: 'C1' });
    mkdirSync(keysDir, { recursive: true });
    copyFileSync(join(issuerDir, issuerKeyFileNames('C1').publicKey), join(keysDir, issuerKeyFileNames('C1').publicKey));
    writeFileSync(join(keysDir, issuerKeyFileNames(passKey.json.kid).publicKey), passKey.json.publicKeyPem);
    const key = await loadIssuerKey(issuerDir, 'C1');
    cards = Object.fromEntries(
      issueCards(
        [
          { row: 2, personId: 'S1', name: '李小红', grade: '初二', className: '3班', photo: null, version: null },
          { row: 3, personId: 'S2', name: '王小明', grade: '初二', className: '3班', photo: null, version: null },
        ],
        key.privateKey,
        key.kid,
      ).map((c) => [c.personId, c.credential]),
    );
    env = await startAccessEdge(
      {
        keysDir,
        keyKinds: { C1: ['card'], [passKey.json.kid]: ['visitor'] },
        zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'off' }],
        gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'gate-board', in: 4, out: 5, pulseMs: 200 } }],
        readers: [
          { id: 'east-in', gate: 'east', direction: 'in', transport: { kind: 'serial', path: inLine.a, baudRate: 9600 } },
          { id: 'east-out', gate: 'east', direction: 'out', transport: { kind: 'serial', path: outLine.a, baudRate: 9600 } },
        ],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'gate-board', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { clock: new FakeClock(Date.now()), config: { site: { id: SITE, name: '家校一日' }, cloud: { enabled: true, linkFile: cloud.linkFile } } },
    );
    cleanups.push(() => env.cleanup());
    await waitOnline(env.edge);
    await waitFor(() => env.edge.access.people.get('S2'), 'the roster projected from the cloud', 30_000);
    const classes = await env.admin.req('GET', '/api/access/classes');
    const grade = classes.json.grades.find((g: { name: string }) => g.name === '初二');
    const tt = await env.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: grade.id, entryStart: '00:00', lateAfter: '23:57', dismissalStart: '23:58', dismissalEnd: '23:59', lunch: [] }] });
    expect(tt.status, JSON.stringify(tt.json)).toBe(200);
    await waitFor(() => env.edge.school.calendar.isSchoolDay(today()), 'today a school day on the edge', 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    cleanups.push(() => browser.close());
  }, 240_000);

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    dir.remove();
  });

  it('plays the day', async () => {
    const mum = await parentSignIn(MUM);
    const ht = await staffSignIn('day-ht');

    // 1. A leave: the mother applies on her phone (it ends two minutes from now), the head teacher approves on his.
    const blocked = await scan(outReader, cards.S1!);
    expect(blocked).toMatchObject({ reason: 'access.school_hours', data: { granted: false } });
    const now = Date.now();
    await mum.fill('#leave-form input[name=from]', localInput(now - 10 * 60_000));
    await mum.fill('#leave-form input[name=until]', localInput(now + 2 * 60_000));
    await mum.selectOption('#leave-form select[name=reasonKind]', 'illness');
    await mum.fill('#leave-form input[name=reason]', '看牙医');
    await mum.fill('#leave-form input[name=collector]', '母亲 李妈妈');
    await mum.click('#leave-form button[type=submit]');
    await mum.locator('#leave-msg', { hasText: '已提交' }).waitFor();
    await ht.reload();
    const pending = ht.locator('#pending li button.approve');
    await pending.waitFor();
    await pending.click();
    await ht.locator('#class-requests li .status-approved').waitFor();
    const leave = (await admin('GET', `/schools/${cloud.link.schoolId}/leave-requests?status=approved`)).json.requests[0];
    await waitFor(async () => ((await env.admin.req('GET', '/api/access/leaves')).json.leaves as { personId: string }[]).some((l) => l.personId === 'S1'), 'the leave on the edge', 30_000);
    // Used at the gate: out through the exit turnstile.
    const writes = board.writes.length;
    const out = await scan(outReader, cards.S1!);
    expect(out).toMatchObject({ reason: 'access.granted.leave', subject: 'S1', data: { granted: true, opened: 'pulsed' } });
    await waitFor(() => board.writes.slice(writes).some((w) => 'write' in w && w.write === 5 && w.values[0] === true), 'the exit relay pulsed');

    // 2. A visit: the mother applies to see the head teacher, he approves; the guard's edge expects the pass; the QR image in her app opens the gate.
    await mum.fill('#visit-form input[name=hostKey]', 'T1');
    await mum.fill('#visit-form input[name=purpose]', '送作业本');
    await mum.fill('#visit-form input[name=from]', localInput(Date.now() - 60_000));
    await mum.fill('#visit-form input[name=until]', localInput(Date.now() + 3600_000));
    await mum.click('#visit-form button[type=submit]');
    await mum.locator('#visit-msg', { hasText: '等待被访教师' }).waitFor();
    await ht.reload();
    await ht.locator('#pending-visits li button.approve').click();
    await ht.locator('#pending-visits li.muted').waitFor();
    const visit = (await admin('GET', `/schools/${cloud.link.schoolId}/visit-requests?status=approved`)).json.visits[0];
    await waitFor(async () => ((await env.admin.req('GET', '/api/access/passes')).json.passes as { id: number }[]).some((p) => p.id === visit.passNo), 'the pass in the guard\'s list on the edge', 30_000);
    await mum.reload();
    await mum.waitForFunction(() => {
      const i = document.querySelector('#my-visits img.pass-qr') as HTMLImageElement | null;
      return !!i && i.complete && i.naturalWidth > 0;
    });
    const px = await mum.evaluate(() => {
      const i = document.querySelector('#my-visits img.pass-qr') as HTMLImageElement;
      const c = document.createElement('canvas');
      c.width = c.height = 600;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 600, 600);
      g.imageSmoothingEnabled = false;
      g.drawImage(i, 0, 0, 600, 600);
      return Array.from(g.getImageData(0, 0, 600, 600).data);
    });
    const fromImage = jsQR(Uint8ClampedArray.from(px), 600, 600)?.data;
    expect(fromImage).toMatch(/^SC1:/);
    expect(await scan(inReader, fromImage!)).toMatchObject({ reason: 'access.granted.visitor', data: { granted: true, opened: 'pulsed' } });

    // 3. Roll call: 王小明 came in through the gate but the head teacher does not find him in class.
    expect(await scan(inReader, cards.S2!)).toMatchObject({ subject: 'S2', data: { granted: true } });
    await waitFor(async () => (await admin('GET', `/schools/${cloud.link.schoolId}/classes/${encodeURIComponent(CLASS)}/roll-call`)).json.students.find((s: any) => s.studentKey === 'S2')?.gate === 'arrived', 'the entry uploaded', 30_000);
    await ht.reload();
    await ht.click('#roll-load');
    await ht.locator('#roll li[data-student="S2"] .gate-arrived').waitFor();
    await ht.click('#roll-form button[type=submit]');
    await ht.locator('#roll li[data-student="S2"]', { hasText: '已入校但不在班' }).waitFor();
    await waitFor(() => sms.find((m) => m.to === HT_PHONE && m.text.includes('王小明') && m.text.includes('不在班')), 'the roll-call SMS to the head teacher', 30_000);

    // 4. An announcement: the head teacher publishes it to his class on his phone; the mother reads it in her app,
    //    王小明's father through the app's API; the head teacher sees that 王小明's grandmother has not read it and
    //    sends the one reminder, which reaches her app as an alert (in-app only: no SMS for it).
    await ht.reload();
    await ht.locator('#msg-staff').waitFor({ state: 'visible' });
    expect(await ht.inputValue('#notice-form input[name=target]')).toBe(CLASS);
    await ht.fill('#notice-form input[name=title]', '家长会通知');
    await ht.fill('#notice-form textarea[name=body]', '本周五下午 4 点在初二-3班教室召开家长会，请准时参加。');
    await ht.click('#notice-form button[type=submit]');
    await ht.locator('#notice-msg', { hasText: '已发布，3 位家长可见' }).waitFor();
    await ht.locator('#my-notices li[data-notice] .read-count', { hasText: '已读 0 / 3' }).waitFor();
    await mum.reload();
    const notice = mum.locator('#msg-notices li[data-notice]', { hasText: '家长会通知' });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('未读');
    await notice.locator('button.open-notice').click();
    expect(await notice.locator('.notice-body').innerText()).toBe('本周五下午 4 点在初二-3班教室召开家长会，请准时参加。');
    expect(await notice.locator('.status').innerText()).toBe('已读');
    const dad = await guardianApi(DAD2);
    const dadList = await dad('/notices');
    expect(dadList.status).toBe(200);
    expect(dadList.json.notices).toHaveLength(1);
    expect(dadList.json.notices[0]).toMatchObject({ title: '家长会通知', readAt: null });
    const opened = await dad(`/notices/${encodeURIComponent(dadList.json.notices[0].id)}`);
    expect(opened.status).toBe(200);
    expect(typeof opened.json.readAt).toBe('number');
    await ht.reload();
    const mine = ht.locator('#my-notices li[data-notice]', { hasText: '家长会通知' });
    await mine.locator('.read-count', { hasText: '已读 2 / 3' }).waitFor();
    await mine.locator('button.unread-list').click();
    await mine.locator('ul.unread li', { hasText: '王奶奶' }).waitFor();
    const unread = await mine.locator('ul.unread').innerText();
    expect(unread).toContain('王小明');
    expect(unread).not.toContain('李妈妈');
    expect(unread).not.toContain('王爸爸');
    expect(unread).not.toContain(GRAN2);
    const smsBeforeRemind = sms.length;
    await mine.locator('button.remind').click();
    await mine.locator('.remind-msg', { hasText: '提醒 1 位家长' }).waitFor();
    expect(await mine.locator('button.remind').isDisabled()).toBe(true);
    const gran = await parentSignIn(GRAN2);
    await gran.locator('#alerts li', { hasText: '请查看通知：家长会通知（陈老师）' }).waitFor();
    // Only she was reminded (not the father, who read it), and by no SMS.
    expect((await dad('/alerts')).json.alerts.map((a: { kind: string }) => a.kind)).not.toContain('notice_reminder');
    expect(sms.slice(smsBeforeRemind).filter((m) => m.text.includes('家长会通知') || (m.to === GRAN2 && m.kind !== 'otp'))).toEqual([]);
    // She opens it from her phone: read by all three now.
    const granNotice = gran.locator('#msg-notices li[data-notice]', { hasText: '家长会通知' });
    await granNotice.locator('button.open-notice').click();
    await granNotice.locator('.status', { hasText: '已读' }).waitFor();
    await ht.reload();
    await ht.locator('#my-notices li[data-notice] .read-count', { hasText: '已读 3 / 3' }).waitFor();

    // 5. Medical notes: entered by the mother with consent, opened by the head teacher with a reason, the read in her list.
    const med = mum.locator('.health-child[data-student="S1"] details.medical');
    await med.locator('summary').click();
    await med.locator('input[name=allergies]').fill('青霉素过敏');
    await med.locator('input[name=consent]').check();
    await med.locator('button[type=submit]').click();
    await med.locator('[role=status]', { hasText: '已加密保存' }).waitFor();
    await ht.fill('.medical-open input[name=studentKey]', 'S1');
    await ht.fill('.medical-open input[name=reason]', '体育课前确认过敏');
    await ht.click('.medical-open button[type=submit]');
    await ht.locator('.medical-open [data-field=allergies]', { hasText: '青霉素过敏' }).waitFor();
    await mum.reload();
    await mum.locator('.health-child[data-student="S1"] details.medical summary').click();
    expect(await mum.locator('.health-child[data-student="S1"] .medical-reads li').first().innerText()).toContain('陈老师（班主任）：体育课前确认过敏');

    // 6. The morning check by the head teacher, the nurse's roll-up.
    await ht.click('.health-load');
    await ht.fill('.health-list input[data-student="S2"]', '36.6');
    await ht.click('.health-checks button[type=submit]');
    await ht.locator('.health-checks [role=status]', { hasText: '已保存 1 人' }).waitFor();
    const nurse = await staffSignIn('day-nurse');
    await nurse.locator('table.health-summary').waitFor();
    expect(await nurse.locator('table.health-summary tr').nth(1).innerText()).toMatch(new RegExp(`${CLASS}\\s+2\\s+1`));

    // 6b. An epidemic: the nurse requires declarations; the mother declares for 李小红, nobody for 王小明. The edge
    //     learns both through the change feed and reminds the guard at the gate of the child without one.
    await nurse.click('button.policy');
    await nurse.locator('button.policy', { hasText: '关闭每日健康申报' }).waitFor();
    await mum.reload();
    const decl = mum.locator('.health-child[data-student="S1"]');
    await decl.locator('.required').waitFor();
    await decl.locator('input[name=temperature]').fill('36.7');
    await decl.locator('.declare-form button[type=submit]').click();
    await mum.locator('.health-child[data-student="S1"] .declared-state', { hasText: '今日已申报' }).waitFor();
    const onEdge = (kind: string, key: string) => env.edge.store.db.prepare('SELECT 1 FROM cloud_records WHERE kind = ? AND key = ?').get(kind, key) !== undefined;
    await waitFor(() => onEdge('health_policy', 'school') && onEdge('health_declaration', 'hd-S1'), 'the health records on the edge', 30_000);
    const seqBefore = env.edge.store.events.lastSeq();
    expect(await scan(inReader, cards.S2!)).toMatchObject({ subject: 'S2', data: { granted: true } });
    const reminder = await waitFor(() => eventsAfter(env.edge, seqBefore, 'access.health')[0], 'the reminder for the guard');
    expect(reminder).toMatchObject({ reason: 'access.health.undeclared', severity: 'warning', subject: 'S2', data: { personName: '王小明', gateName: '东门' } });

    // 7. The leave ends with 李小红 still out: the cloud's sweep alerts the head teacher and the mother by SMS, once.
    await waitFor(() => sms.filter((m) => m.text.includes('请假已于')).length >= 2 || undefined, 'the overdue SMS', 240_000);
    const overdue = sms.filter((m) => m.text.includes('请假已于'));
    expect(overdue.map((m) => m.to).sort()).toEqual([HT_PHONE, MUM].sort());
    expect(overdue[0]!.text).toContain('李小红');
    // Back, late, through the entry turnstile: matched to the leave and marked overdue in the mother's app.
    const seqBack = env.edge.store.events.lastSeq();
    const back = await scan(inReader, cards.S1!);
    expect(back).toMatchObject({ subject: 'S1', data: { granted: true } });
    // She declared today: no reminder for her.
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsAfter(env.edge, seqBack, 'access.health')).toEqual([]);
    await waitFor(
      async () => ((await admin('GET', `/schools/${cloud.link.schoolId}/leave-requests?status=approved`)).json.requests.find((r: any) => r.id === leave.id)?.returnedAt ?? undefined),
      'the return matched',
      30_000,
    );
    await mum.reload();
    const item = mum.locator(`#my-requests li[data-id="${leave.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('class')).toContain('overdue');
    expect(await item.innerText()).toMatch(/离校 .*返校/s);
    // The alerts load on their own after the reload: wait for them rather than read the list before it is filled.
    await mum.locator('#alerts', { hasText: '请假已于' }).waitFor();
    // Once: no second SMS for the same leave.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(sms.filter((m) => m.text.includes('请假已于'))).toHaveLength(2);
  }, 420_000);
});
