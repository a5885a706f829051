import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { attendanceEvent, makeEvent } from '@campus/testkit';
import { verifyWebhook } from '../../src/server/open/signing.js';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type Json, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { startReceiver, type Receiver } from './receiver.js';

const PW = 'webhook-password-1';
const HOUR = 3600_000;

/**
 * Outgoing webhooks against real local HTTP receivers: a target that times out, then
 * answers 500 for many attempts, then recovers gets every event exactly once; signatures
 * verify; a healthy target never gets an event twice, even when the edge resends its
 * batch; a target failing for a day is disabled, the admin sees it, and re-enabling it
 * delivers what waited. Deliveries go through the cloud's job queue (pg-boss on
 * PostgreSQL, the job table on PGlite).
 */
export function webhooksContract(backend: Backend): void {
  describe(`webhooks on ${backend.name}`, () => {
    let cloud: TestCloud;
    let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let S: string;
    let admin: StaffClient;
    const receivers: Receiver[] = [];
    /** The webhook worker's clock: a test moves it a day ahead. */
    const hookClock = { offset: 0 };

    const ingest = async (events: unknown[]) => {
      const r = await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json as { accepted: number; duplicates: number };
    };
    const subscribe = async (url: string, eventTypes: string[], extra: Record<string, unknown> = {}) => {
      const r = await admin.call('POST', `/schools/${S}/webhooks`, { url, eventTypes, ...extra });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      expect(r.json.secret).toMatch(/^whsec_/);
      return r.json as { id: string; secret: string; version: number };
    };
    const hook = async (id: string) => ((await admin.call('GET', `/schools/${S}/webhooks`)).json.webhooks as Json[]).find((w) => w.id === id);
    const log = async (id: string) => (await admin.call('GET', `/schools/${S}/webhooks/${id}/deliveries?limit=500`)).json.deliveries as Json[];
    const receiver = async (mode: Receiver['mode']) => {
      const r = await startReceiver(mode);
      receivers.push(r);
      return r;
    };
    const settle = () => new Promise((r) => setTimeout(r, 1500));

    beforeAll(async () => {
      cloud = await startTestCloud(backend, {
        openData: { settleMs: 0, webhooks: { allowPrivateTargets: true, timeoutMs: 400, backoffMs: [150, 300, 400], now: () => Date.now() + hookClock.offset } },
      });
      edge = await cloud.provisionEdge({ schoolName: '回调学校', site: 'hook-a' });
      S = edge.schoolId;
      await cloud.admin('POST', `/schools/${S}/accounts`, { username: 'hook-admin', displayName: '管理员', password: PW });
      admin = await staffSignIn(cloud.url, 'hook-admin', PW);
    }, 120_000);
    afterAll(async () => {
      for (const r of receivers) await r.close();
      await cloud?.dispose();
    });

    it('delivers every event once to a target that times out, then answers 500 for many attempts, then recovers; every signature verifies', async () => {
      const rx = await receiver('timeout');
      const sub = await subscribe(rx.url, ['access.*']);
      const events = [gatePass('hook-a', 's1', 'in'), gatePass('hook-a', 's2', 'in'), makeEvent('hook-a', { type: 'access.pass', reason: 'access.pass', data: { visitor: '访客', visitorPhone: '13900000001' } })];
      await ingest([...events, attendanceEvent('hook-a', 's3', 'late', { day: '2026-11-02' })]);
      await waitFor(() => rx.received.length >= 2 || undefined, 'two timed-out attempts', 20_000);
      rx.mode = 'fail';
      await waitFor(() => rx.received.filter((h) => h.answered === 500).length >= 4 || undefined, 'four 500 answers', 30_000);
      const failing = await hook(sub.id);
      expect(failing.status).toBe('active');
      expect(failing.failingSince).not.toBeNull();
      expect(failing.statusText['zh-CN']).toContain('失败');
      expect(failing.pending).toBe(3);
      rx.mode = 'ok';
      await waitFor(() => events.every((e) => rx.delivered().has(e.id)) || undefined, 'all three delivered', 30_000);
      await settle();
      expect([...rx.delivered().values()]).toEqual([1, 1, 1]);
      expect(rx.received.every((h) => String(h.headers['x-campus-event-type']).startsWith('access.'))).toBe(true);
      for (const h of rx.received) {
        expect(verifyWebhook(sub.secret, { timestamp: h.headers['x-campus-timestamp'] as string, signature: h.headers['x-campus-signature'] as string }, h.raw, Date.now() + hookClock.offset)).toBe(true);
        expect(verifyWebhook('whsec_wrong', { timestamp: h.headers['x-campus-timestamp'] as string, signature: h.headers['x-campus-signature'] as string }, h.raw)).toBe(false);
        expect(verifyWebhook(sub.secret, { timestamp: h.headers['x-campus-timestamp'] as string, signature: h.headers['x-campus-signature'] as string }, h.raw.replace('hook-a', 'hook-b'))).toBe(false);
        const body = JSON.parse(h.raw);
        expect(body.event.id).toBe(h.headers['x-campus-event-id']);
        expect(body.schoolId).toBe(S);
      }
      // The subscription has no `sensitive`: the visitor's phone stayed home.
      const pass = rx.received.find((h) => h.headers['x-campus-event-type'] === 'access.pass')!;
      expect(JSON.parse(pass.raw).event.data).toEqual({ visitor: '访客' });
      expect(pass.raw).not.toContain('13900000001');
      const entries = await log(sub.id);
      expect(entries).toHaveLength(3);
      for (const d of entries) {
        expect(d.status).toBe('delivered');
        expect(d.lastStatus).toBe(200);
      }
      expect(Math.max(...entries.map((d) => d.attempts))).toBeGreaterThanOrEqual(3);
      const healthy = await hook(sub.id);
      expect(healthy.failingSince).toBeNull();
      expect(healthy.lastSuccessAt).not.toBeNull();
      expect(healthy.pending).toBe(0);
    }, 120_000);

    it('never delivers one event twice to a healthy target, even when the edge resends its batch; two subscriptions each get it once', async () => {
      const one = await receiver('ok');
      const two = await receiver('ok');
      const s1 = await subscribe(one.url, ['attendance.late']);
      await subscribe(two.url, ['attendance.*'], { sensitive: true });
      const batch = Array.from({ length: 6 }, (_, i) => attendanceEvent('hook-a', `late-${i}`, 'late', { day: '2026-11-03' }));
      expect((await ingest(batch)).accepted).toBe(6);
      expect((await ingest(batch)).duplicates).toBe(6);
      await waitFor(() => (one.delivered().size === 6 && two.delivered().size === 6) || undefined, 'six on each', 30_000);
      await settle();
      expect(one.received).toHaveLength(6);
      expect(two.received).toHaveLength(6);
      expect([...one.delivered().keys()].sort()).toEqual(batch.map((e) => e.id).sort());
      expect((await log(s1.id)).every((d) => d.attempts === 1 && d.status === 'delivered')).toBe(true);
    }, 60_000);

    it('disables a subscription after a day of failures (the admin sees it), sends nothing more, and delivers what waited once re-enabled', async () => {
      const rx = await receiver('fail');
      const sub = await subscribe(rx.url, ['usb.blocked']);
      const usb = [0, 1].map((i) => makeEvent('hook-a', { type: 'usb.blocked', reason: 'usb.blocked.mass_storage', subject: `pc-${i}`, data: { vendorId: '0781' } }));
      await ingest(usb);
      await waitFor(() => rx.received.length >= 2 || undefined, 'first failures', 20_000);
      expect((await hook(sub.id)).status).toBe('active');
      hookClock.offset += 25 * HOUR; // a day of 500s later
      await waitFor(async () => ((await hook(sub.id)).status === 'disabled' ? true : undefined), 'disabled', 20_000);
      const disabled = await hook(sub.id);
      expect(disabled.disabledAt).not.toBeNull();
      expect(disabled.statusText['zh-CN']).toContain('自动停用');
      expect(disabled.statusText.en).toContain('24 hours');
      expect(disabled.pending).toBe(2);
      const count = rx.received.length;
      await settle();
      expect(rx.received.length).toBe(count);
      // A new event meanwhile is not queued for a disabled subscription.
      await ingest([makeEvent('hook-a', { type: 'usb.blocked', reason: 'usb.blocked.mass_storage', data: {} })]);
      await settle();
      expect(rx.received.length).toBe(count);
      // Fixed, then enabled again (with the version the admin saw): the waiting two go out, once each.
      rx.mode = 'ok';
      const stale = await admin.call('PATCH', `/schools/${S}/webhooks/${sub.id}`, { version: sub.version, status: 'active' });
      expect(stale.status).toBe(409);
      const enabled = await admin.call('PATCH', `/schools/${S}/webhooks/${sub.id}`, { version: disabled.version, status: 'active' });
      expect(enabled.status, JSON.stringify(enabled.json)).toBe(200);
      await waitFor(() => usb.every((e) => rx.delivered().has(e.id)) || undefined, 'waiting deliveries sent', 20_000);
      await settle();
      expect([...rx.delivered().values()]).toEqual([1, 1]);
      expect((await hook(sub.id)).status).toBe('active');
      const actions = (await cloud.db.query<{ action: string }>(`SELECT action FROM staff_audit WHERE school_id = $1 AND target = $2 ORDER BY id`, [S, sub.id])).rows.map((r) => r.action);
      expect(actions).toEqual(['open.webhook.create', 'open.webhook.update']);
    }, 90_000);

    it('refuses bad subscriptions with a message in both languages', async () => {
      for (const body of [
        { url: 'ftp://example.org/x', eventTypes: ['access.*'] },
        { url: 'not a url', eventTypes: ['access.*'] },
        { url: 'https://example.org/x', eventTypes: ['Access Decision'] },
        { url: 'https://example.org/x', eventTypes: [] },
      ]) {
        const r = await admin.call('POST', `/schools/${S}/webhooks`, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(typeof r.json.error.message['zh-CN']).toBe('string');
      }
    });
  });
}
