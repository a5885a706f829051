/**
 * Home-school messages and the app's weight.
 *
 * notice.read.p95 (ms, ≤ 300): 3,000 guardians open a class announcement within a minute
 * (arrivals spread at random over 60 s, open loop: each request leaves at its time
 * whatever the others do) against ONE `campus-cloud` process on PostgreSQL. Each open
 * records the guardian's read receipt; afterwards the receipts are counted in the
 * database and must equal the number of guardians. Baseline in the same run, same
 * arrival pattern: the guardian's alert list (session check and one indexed read). Before
 * both, 300 guardians open an earlier notice (not timed): the process and its database
 * connections warm, as they are during a school day.
 *
 * app.first.load (s, ≤ 3): a signed-in guardian opens the app in Chromium, empty cache,
 * on a throttled 3G profile set by CDP Network.emulateNetworkConditions: 1.6 Mbps down,
 * 750 kbps up, 150 ms round trip. Measured from navigation to the announcements list
 * shown (the guardian's home with everything it loads: texts, children, timeline,
 * leaves, visits, notices, class information). Median of 3 cold loads; baseline: the
 * same loads unthrottled.
 *
 * app.js.kb (KB gzip, ≤ 200): every JavaScript file the first load fetched, each
 * gzip-compressed (level 6, what a web server sends), summed. Baseline: the raw size.
 */
import { randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { tempDir } from '../edge-agent/test/helpers/edge.js';
import { startCloudProcess } from '../edge-agent/test/sync/cloud-process.js';
import { median, percentile, report } from './lib.js';

const N = Number(process.env.NOTICE_BENCH_N ?? 3000);
const WINDOW_MS = Number(process.env.NOTICE_BENCH_WINDOW_S ?? 60) * 1000;
const CLASS = '初二-3班';
const PW = 'notice-bench-pw-1';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const only = process.env.BENCH_ONLY;
const THREE_G = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0 };

/** A deterministic spread of n arrival offsets over the window (xorshift; the same every run). */
function arrivals(n: number, windowMs: number, seed = 0x9e3779b9): number[] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push((x / 0x1_0000_0000) * windowMs);
  }
  return out.sort((a, b) => a - b);
}

/** Fires one request per arrival at its time (open loop) and returns the latencies (ms) and failures. */
async function openLoop(offsets: number[], fire: (i: number) => Promise<boolean>): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    offsets.map(async (at, i) => {
      const wait = at - (performance.now() - t0);
      if (wait > 0) await sleep(wait);
      const s = performance.now();
      const ok = await fire(i).catch(() => false);
      ms.push(performance.now() - s);
      if (!ok) failed++;
    }),
  );
  return { ms: ms.sort((a, b) => a - b), failed };
}

async function main(): Promise<void> {
  const dir = tempDir('campus-notice-bench-');
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  try {
    const pgAdmin = await postgresUrl();
    if (!pgAdmin) throw new Error('notice.read.p95 is measured on PostgreSQL: none is reachable (TEST_DATABASE_URL)');
    const db = await createTempDatabase(pgAdmin);
    cleanups.push(() => db.drop());
    const cloud = await startCloudProcess(dir.path, 'notice-bench', { DATABASE_URL: db.url });
    cleanups.push(() => cloud.stop());
    const url = cloud.link.cloudUrl;
    const schoolId = cloud.link.schoolId;

    // N children in one class, each with one guardian (a phone number of their own).
    const phone = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;
    for (let from = 0; from < N; from += 1500) {
      const batch = [];
      for (let i = from; i < Math.min(N, from + 1500); i++) {
        batch.push({ kind: 'person', key: `S${i}`, data: { name: `学生${i}`, roles: ['student'], classId: CLASS } });
        batch.push({ kind: 'person', key: `G${i}`, data: { name: `家长${i}`, roles: ['guardian'], phone: phone(i) } });
        batch.push({ kind: 'guardianship', key: `S${i}:G${i}`, data: { studentId: `S${i}`, guardianId: `G${i}`, relation: '母亲', mayPickUp: true, receivesNotices: true } });
      }
      await cloud.write(batch);
    }

    let cookie = '';
    let csrf = '';
    const staff = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}/api/staff${path}`, {
        method,
        headers: { 'content-type': 'application/json', cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const set = r.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
      if (set) cookie = set.split(';')[0]!;
      const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
      if (json?.csrfToken) csrf = json.csrfToken as string;
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
      return json!;
    };
    const first = await cloud.admin(`/api/admin/schools/${schoolId}/accounts`, { method: 'POST', body: JSON.stringify({ username: 'bench-admin', displayName: '管理员', password: PW }) });
    if (first.status !== 201) throw new Error(`first admin: ${first.status}`);
    await staff('POST', '/session', { username: 'bench-admin', password: PW });
    await staff('POST', '/accounts', { username: 'bench-ht', displayName: '陈老师', password: PW, roles: ['head_teacher'], classes: [CLASS] });
    await staff('POST', '/session', { username: 'bench-ht', password: PW });
    type Posted = { notice: { id: string }; recipients: number };
    // A notice of the morning (warms the process and its connections up), then the one measured.
    const warm = (await staff('POST', `/schools/${schoolId}/home/notices`, { scope: 'class', target: CLASS, title: '晨读通知', body: '明早 7:40 开始晨读。' })) as Posted;
    const posted = (await staff('POST', `/schools/${schoolId}/home/notices`, { scope: 'class', target: CLASS, title: '期中家长会通知', body: '本周五 15:00 在教室召开家长会，请准时参加。'.repeat(5) })) as Posted;
    if (posted.recipients !== N) throw new Error(`the notice reached ${posted.recipients} guardians, not ${N}`);
    const noticeId = posted.notice.id;

    // One app session per guardian, made as a code sign-in makes it (token stored only as its hash).
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    cleanups.push(() => client.end());
    const tokens: string[] = [];
    const now = Date.now();
    for (let from = 0; from < N; from += 500) {
      const rows: unknown[] = [];
      const values: string[] = [];
      for (let i = from; i < Math.min(N, from + 500); i++) {
        const token = randomBytes(32).toString('base64url');
        tokens[i] = token;
        values.push(`($${rows.length + 1}, $${rows.length + 2}, $${rows.length + 3}, $${rows.length + 4})`);
        rows.push(createHash('sha256').update(token).digest('hex'), phone(i), now, now + 86_400_000);
      }
      await client.query(`INSERT INTO parent_sessions (token_hash, phone, created_at, expires_at) VALUES ${values.join(', ')}`, rows);
    }
    const get = (path: string, i: number) => fetch(`${url}/api/home${path}`, { headers: { authorization: `Bearer ${tokens[i]}` } });
    // The session check works (one guardian, once) before anything is timed.
    if ((await get('/guardian/alerts', 0)).status !== 200) throw new Error('guardian session not accepted');

    const offsets = arrivals(N, WINDOW_MS);
    if (!only || only === 'notice.read.p95') {
      // Warm-up, not timed: 300 guardians open the morning notice and their alerts over 6 s.
      const warmN = Math.min(300, N);
      await openLoop(arrivals(warmN, 6000, 7), async (i) => (await get(`/guardian/notices/${warm.notice.id}`, i)).status === 200 && (await get('/guardian/alerts', i)).status === 200);
      const base = await openLoop(offsets, async (i) => (await get('/guardian/alerts', i)).status === 200);
      const read = await openLoop(offsets, async (i) => {
        const r = await get(`/guardian/notices/${noticeId}`, i);
        const json = (await r.json()) as { id?: string; readAt?: number };
        return r.status === 200 && json.id === noticeId && typeof json.readAt === 'number';
      });
      const receipts = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM hs_notice_recipients WHERE notice_id = $1 AND read_at IS NOT NULL', [noticeId])).rows[0]!.n);
      report({
        name: 'notice.read.p95',
        metric: 'p95 latency',
        value: Number(percentile(read.ms, 95).toFixed(1)),
        unit: 'ms',
        target: '<= 300',
        baseline: { name: 'guardian.alerts.p95', value: Number(percentile(base.ms, 95).toFixed(1)), unit: 'ms' },
        pass: percentile(read.ms, 95) <= 300 && receipts === N && read.failed === 0,
        guardians: N,
        windowS: WINDOW_MS / 1000,
        receipts,
        failed: read.failed,
        p50: Number(percentile(read.ms, 50).toFixed(1)),
        p99: Number(percentile(read.ms, 99).toFixed(1)),
        max: Number(read.ms.at(-1)!.toFixed(1)),
        baselineFailed: base.failed,
        notes: `one cloud process on PostgreSQL (warmed up by 300 reads of an earlier notice); ${N} guardians, arrivals spread over ${WINDOW_MS / 1000} s (open loop), baseline first with the same arrivals; receipts counted in the database after the run`,
      });
    }

    if ((!only || only.startsWith('app.')) && existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
      cleanups.push(() => browser.close());
      const load = async (throttled: boolean) => {
        const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'block' });
        try {
          const token = tokens[1]!;
          // The app's saved sign-in (a script string: the bench has no DOM types).
          await ctx.addInitScript(`localStorage.setItem('campus.parent.token', ${JSON.stringify(token)})`);
          const page = await ctx.newPage();
          const cdp = await ctx.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
          if (throttled) await cdp.send('Network.emulateNetworkConditions', THREE_G);
          const scripts: { url: string; body: Buffer }[] = [];
          const pending: Promise<void>[] = [];
          page.on('response', (r) => {
            if (r.request().resourceType() === 'script') pending.push(r.body().then((body) => void scripts.push({ url: r.url(), body }), () => undefined));
          });
          const t0 = performance.now();
          await page.goto(`${url}/parent/`, { waitUntil: 'commit' });
          await page.locator('#msg-notices li[data-notice]').first().waitFor({ state: 'visible', timeout: 60_000 });
          const s = (performance.now() - t0) / 1000;
          await Promise.all(pending);
          return { s, scripts };
        } finally {
          await ctx.close();
        }
      };
      const fast: number[] = [];
      const slow: number[] = [];
      let scripts: { url: string; body: Buffer }[] = [];
      for (let i = 0; i < 3; i++) {
        fast.push((await load(false)).s);
        const r = await load(true);
        slow.push(r.s);
        scripts = r.scripts;
      }
      if (!only || only === 'app.first.load')
        report({
          name: 'app.first.load',
          metric: 'median of 3 cold loads',
          value: Number(median(slow).toFixed(2)),
          unit: 's',
          target: '<= 3',
          baseline: { name: 'app.first.load.unthrottled', value: Number(median(fast).toFixed(2)), unit: 's' },
          runs: slow.map((x) => Number(x.toFixed(2))),
          notes: 'Chromium, 390x844, empty cache, CDP Network.emulateNetworkConditions 1.6 Mbps down / 750 kbps up / 150 ms RTT; a signed-in guardian, navigation until the announcements list is shown',
        });
      if (!only || only === 'app.js.kb') {
        const gz = scripts.reduce((n, x) => n + gzipSync(x.body, { level: 6 }).length, 0) / 1024;
        const raw = scripts.reduce((n, x) => n + x.body.length, 0) / 1024;
        report({
          name: 'app.js.kb',
          metric: 'JavaScript of the first load, gzip',
          value: Number(gz.toFixed(1)),
          unit: 'KB',
          target: '<= 200',
          baseline: { name: 'app.js.raw.kb', value: Number(raw.toFixed(1)), unit: 'KB' },
          files: scripts.map((x) => ({ path: new URL(x.url).pathname, rawKb: Number((x.body.length / 1024).toFixed(1)), gzipKb: Number((gzipSync(x.body, { level: 6 }).length / 1024).toFixed(1)) })),
          notes: 'every script response of the (throttled) first load, each gzip -6',
        });
      }
    }
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    dir.remove();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
