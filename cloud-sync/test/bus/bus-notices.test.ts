import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { BusBox } from './bus-fixtures.js';

const SITE = 'notice-bus-box';
const MOTHER = '13600000041';
const FATHER = '13600000042';
/** Events from just now (a notice about something long ago says so, and is tested elsewhere). */
let AT = 0;
const hhmm = (at: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

/** 上车/下车 notices to guardians with stop and time, through the notify pipeline (preferences, quiet hours, no notice for a refused card). */
describe('school bus notices to guardians', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let hook: HttpSink;
  let box: BusBox;
  let school: string;
  const clock = { now: Date.now() };
  const noticesOf = async (eventId: string) =>
    (await cloud.db.query<{ phone: string; kind: string; text_zh: string; text_en: string; status: string }>('SELECT phone, kind, text_zh, text_en, status FROM notices WHERE school_id = $1 AND event_id = $2 ORDER BY phone', [school, eventId])).rows;

  beforeAll(async () => {
    sms = await startHttpSink();
    hook = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url }, webhook: { url: hook.url, secret: 'bus-hook-secret' } }, noticeClock: () => clock.now });
    const edge = await seedSchool(cloud, SITE, { mother: MOTHER, father: FATHER });
    school = edge.schoolId;
    box = new BusBox(cloud, SITE, edge.credentials);
    AT = Date.now() - 30_000;
  }, 120_000);
  afterAll(async () => {
    await cloud?.dispose();
    await sms?.close();
    await hook?.close();
  });

  it('tells both guardians when the child got on and off, with stop, time and route', async () => {
    const on = box.event('bus.boarding', 'bus.boarded', { tripId: 't1', routeId: 'r1', direction: 'morning', stopId: 'b', personName: '张小明', stopName: '人民公园', routeName: '1号线' }, { subject: 'stu-1', occurredAt: AT, priority: 1 });
    const off = box.event('bus.alighting', 'bus.alighted', { tripId: 't1', routeId: 'r1', direction: 'morning', stopId: 'school', personName: '张小明', stopName: '学校', routeName: '1号线' }, { subject: 'stu-1', occurredAt: AT + 20_000, priority: 1 });
    clock.now = Date.now();
    await box.send([on, off]);
    await waitFor(async () => (await noticesOf(off.id)).every((n) => n.status === 'sent') && (await noticesOf(off.id)).length === 2, 'alighting notices sent');
    const board = await noticesOf(on.id);
    expect(board.map((n) => [n.phone, n.kind])).toEqual([
      [MOTHER, 'board'],
      [FATHER, 'board'],
    ].sort());
    expect(board[0]!.text_zh).toBe(`${hhmm(AT)} 张小明 在人民公园上车（1号线）`);
    expect(board[0]!.text_en).toBe(`张小明 got on the school bus at 人民公园 at ${hhmm(AT)} (1号线)`);
    expect((await noticesOf(off.id))[0]!.text_zh).toBe(`${hhmm(AT + 20_000)} 张小明 在学校下车（1号线）`);
    const delivered = hook.received.filter((r) => r.body.notice?.eventId === on.id);
    expect(delivered).toHaveLength(2);
  });

  it('gives no notice for a refused card, and follows each guardian’s preferences and quiet hours', async () => {
    const mother = await signInGuardian(cloud.url, sms, MOTHER);
    const father = await signInGuardian(cloud.url, sms, FATHER);
    // Mother switches bus notices off; father has quiet hours around the clock's time.
    expect((await parentApi(cloud.url, mother, 'PUT', '/preferences', { kinds: { board: false, alight: false } })).status).toBe(200);
    expect((await parentApi(cloud.url, father, 'PUT', '/preferences', { quietHours: { start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000) } })).status).toBe(200);
    const refused = box.event('bus.boarding', 'bus.refused.wrong_bus', { tripId: 't1', routeId: 'r1', stopId: 'b', refused: true, personName: '张小明', expectedRoute: '2号线' }, { subject: 'stu-1', occurredAt: AT + 22_000, priority: 1 });
    const on = box.event('bus.boarding', 'bus.boarded', { tripId: 't2', routeId: 'r2', direction: 'morning', stopId: 'c', personName: '张小明', stopName: '图书馆', routeName: '2号线' }, { subject: 'stu-1', occurredAt: AT + 25_000, priority: 1 });
    await box.send([refused, on]);
    await waitFor(async () => (await noticesOf(on.id)).length === 2, 'notices written');
    expect(await noticesOf(refused.id)).toEqual([]);
    const byPhone = Object.fromEntries((await noticesOf(on.id)).map((n) => [n.phone, n.status]));
    expect(byPhone).toEqual({ [MOTHER]: 'muted', [FATHER]: 'held' });
    // The parent app shows it in the history (as the notice text), for the father.
    const history = (await parentApi(cloud.url, father, 'GET', '/notices')).json.notices as { text: { 'zh-CN': string } }[];
    expect(history.map((n) => n.text['zh-CN'])).toContain(`${hhmm(AT + 25_000)} 张小明 在图书馆上车（2号线）`);
  });
});
