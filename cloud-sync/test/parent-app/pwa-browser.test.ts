import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { pgliteBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '@campus/testkit';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { signedSend } from '../helpers/signed-request.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');

/** The parent PWA in a real browser: sign in with the SMS code, see the child's timeline and notices. */
describe.skipIf(!existsSync(CHROMIUM))('parent web app in Chromium', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let browser: Browser;

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.dispose();
    await sms?.close();
  });

  it('signs in by phone and code, shows only the own child with timeline and notice history', async () => {
    const school = await seedSchool(cloud, 'pwa-site', { mother: '13600000001', father: '13600000002' });
    const entry = gatePass('pwa-site', 'stu-1', 'in', { occurredAt: Date.now() - 60_000 });
    // The same card read twice more within a minute: one timeline entry "入校（东门）×3".
    const repeats = [20_000, 40_000].map((d) => gatePass('pwa-site', 'stu-1', 'in', { occurredAt: entry.occurredAt + d }));
    expect((await signedSend(cloud.url, school.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [entry, ...repeats] }))).status).toBe(200);
    await waitFor(async () => (await cloud.db.query('SELECT 1 FROM notices WHERE event_id = $1', [entry.id])).rows.length > 0, 'notice written');

    const page = await browser.newPage({ locale: 'zh-CN' });
    await page.goto(`${cloud.url}/parent/`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('h2[data-t="parent.signin.title"]').textContent()).toBe('家长登录');
    // Typed the way a phone's autofill writes it: the code still goes to the roster's number.
    await page.fill('#phone', '+86 136-0000-0001');
    await page.click('#otp-form button[type=submit]');
    const msg = await waitFor(() => sms.received.find((m) => m.body?.to === '13600000001' && m.body?.kind === 'otp'), 'code SMS');
    const code = /(\d{6})/.exec(String(msg.body.text))![1]!;
    await page.fill('#code', code);
    await page.click('#code-form button[type=submit]');
    await page.locator('#home').waitFor({ state: 'visible' });
    await page.locator('#children .card').first().waitFor();
    const children = await page.locator('#children').innerText();
    expect(children).toContain('张小明');
    expect(children).toContain('入校（东门）×3');
    expect(await page.locator('#children li[data-count="3"]').count()).toBe(1);
    // Times as the school's clock reads (Asia/Shanghai), the same as in the notice text.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(entry.occurredAt);
    expect(children).toContain(hhmm);
    await page.locator('#notices li').first().waitFor();
    expect(await page.locator('#notices').innerText()).toMatch(/\d{2}:\d{2} 张小明 入校（东门）/);
    // A school without bus routes: no bus request section.
    expect(await page.locator('#busreq-section').isHidden()).toBe(true);
    // Preferences round-trip through the form.
    await page.uncheck('#prefs input[name=exit]');
    await page.click('#prefs button[type=submit]');
    await page.locator('#prefs-msg', { hasText: '已保存' }).waitFor();
    const token = await page.evaluate<string | null>("localStorage.getItem('campus.parent.token')");
    const prefs = (await (await fetch(`${cloud.url}/api/parent/preferences`, { headers: { authorization: `Bearer ${token}` } })).json()) as { kinds: { exit: boolean; entry: boolean } };
    expect(prefs.kinds).toMatchObject({ exit: false, entry: true });
    await page.click('#signout');
    await page.locator('#signin').waitFor({ state: 'visible' });
    await page.close();
  }, 60_000);
});
