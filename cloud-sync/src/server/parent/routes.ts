import express, { type Router } from 'express';
import { z } from 'zod';
import { LOCALES, translate, allMessages } from '@campus/protocol';
import { notFound } from '../http/errors.js';
import { GuardianPrefsSchema, parsePrefs } from '../notify/preferences.js';
import { OtpRequestSchema, SessionRequestSchema, type GuardianAuth } from './guardian-auth.js';
import type { BusLive } from '../bus/live.js';
import { liveTopic, type LiveHub } from '../live/hub.js';
import { streamLive } from '../live/sse.js';
import { BusRequestSchema, type BusRequestDesk } from '../bus/requests.js';
import type { GuardianData } from './guardian-data.js';
import './messages.js';

const PageQuerySchema = z.object({
  before: z.coerce.number().int().positive().default(Number.MAX_SAFE_INTEGER),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const SubscriptionSchema = z.object({
  endpoint: z.url().max(1000).refine((u) => u.startsWith('https://'), 'push endpoints are https'),
  keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
});
const UnsubscribeSchema = z.object({ endpoint: z.string().max(1000) });
const RequestIdSchema = z.object({ requestId: z.string().max(64) });
const ChildParamsSchema = z.object({ schoolId: z.string().max(64), studentKey: z.string().max(128) });

/** The parent app's JSON API under /api/parent. Every route but sign-in needs a session. */
export function parentRoutes(auth: GuardianAuth, data: GuardianData, vapidPublicKey: string | null, bus?: { live: BusLive; now: () => number; hub?: LiveHub; requests?: BusRequestDesk }): Router {
  const r = express.Router();

  r.get('/messages', (req, res) => {
    const locale = LOCALES.find((l) => l === req.query.locale) ?? 'zh-CN';
    const out: Record<string, string> = {};
    for (const id of Object.keys(allMessages())) if (id.startsWith('parent.') || id.startsWith('home.')) out[id] = translate(locale, id);
    res.json(out);
  });
  r.get('/push/vapid-key', (_req, res) => {
    if (!vapidPublicKey) throw notFound();
    res.json({ publicKey: vapidPublicKey });
  });
  r.post('/otp', async (req, res) => {
    const { phone } = OtpRequestSchema.parse(req.body);
    await auth.requestCode(phone);
    res.status(202).json({ sent: true });
  });
  r.post('/session', async (req, res) => {
    const { phone, code } = SessionRequestSchema.parse(req.body);
    res.status(201).json(await auth.signIn(phone, code));
  });

  r.use(auth.middleware());
  r.delete('/session', async (_req, res) => {
    await auth.signOut(res.locals.token as string);
    res.status(204).end();
  });
  r.get('/me', async (_req, res) => {
    const phone = res.locals.phone as string;
    res.json({ phone, children: await data.children(phone) });
  });
  r.get('/children/:schoolId/:studentKey/timeline', async (req, res) => {
    const { schoolId, studentKey } = ChildParamsSchema.parse(req.params);
    // Not your child and no such child look the same: 404, nothing to learn from it.
    if (!(await data.isGuardianOf(res.locals.phone as string, schoolId, studentKey))) throw notFound();
    const q = PageQuerySchema.parse(req.query);
    res.json({ entries: await data.timeline(schoolId, studentKey, q.before, q.limit) });
  });
  r.get('/children/:schoolId/:studentKey/bus', async (req, res) => {
    const { schoolId, studentKey } = ChildParamsSchema.parse(req.params);
    if (!(await data.isGuardianOf(res.locals.phone as string, schoolId, studentKey))) throw notFound();
    res.setHeader('Cache-Control', 'no-store');
    // Only the bus this child rides, only while the trip runs and the child has not got off.
    res.json(bus ? await bus.live.forChild(schoolId, studentKey, bus.now()) : { running: false });
  });
  // The one-time pickup code (接送码) for the pickup person records naming this guardian; shown only while the child rides a bus.
  r.get('/children/:schoolId/:studentKey/pickup-code', async (req, res) => {
    const { schoolId, studentKey } = ChildParamsSchema.parse(req.params);
    const phone = res.locals.phone as string;
    if (!bus || !(await data.isGuardianOf(phone, schoolId, studentKey))) throw notFound();
    res.setHeader('Cache-Control', 'no-store');
    res.json(await data.pickupCodes(phone, schoolId, studentKey, bus.now()));
  });
  // The same card as server-sent events: on connect and whenever the school's buses change (any cloud process).
  r.get('/children/:schoolId/:studentKey/bus/live', async (req, res) => {
    const { schoolId, studentKey } = ChildParamsSchema.parse(req.params);
    const phone = res.locals.phone as string;
    if (!(await data.isGuardianOf(phone, schoolId, studentKey))) throw notFound();
    if (!bus?.hub) throw notFound();
    const { live, now, hub } = bus;
    // Guardianship is re-checked on every render: a link removed meanwhile ends what the stream shows.
    await streamLive(req, res, {
      hub,
      topics: [liveTopic.bus(schoolId), liveTopic.records(schoolId)],
      render: async () => ((await data.isGuardianOf(phone, schoolId, studentKey)) ? live.forChild(schoolId, studentKey, now()) : { running: false }),
    });
  });
  const requests = bus?.requests;
  if (requests) {
    // Bus requests for the guardian's own children only: another child is 404, as if it did not exist.
    r.get('/children/:schoolId/:studentKey/bus-options', async (req, res) => {
      const { schoolId, studentKey } = ChildParamsSchema.parse(req.params);
      res.json(await requests.options(res.locals.phone as string, schoolId, studentKey));
    });
    r.get('/bus-requests', async (_req, res) => {
      res.json({ requests: await requests.forGuardian(res.locals.phone as string) });
    });
    r.post('/bus-requests', async (req, res) => {
      res.status(201).json({ request: await requests.apply(res.locals.phone as string, BusRequestSchema.parse(req.body)) });
    });
    r.post('/bus-requests/:requestId/cancel', async (req, res) => {
      const { requestId } = RequestIdSchema.parse(req.params);
      res.json({ request: await requests.cancel(res.locals.phone as string, requestId) });
    });
  }
  r.get('/notices', async (req, res) => {
    const q = PageQuerySchema.parse(req.query);
    res.json({ notices: await data.notices(res.locals.phone as string, q.before, q.limit) });
  });
  r.get('/preferences', async (_req, res) => {
    res.json(parsePrefs(await data.prefs(res.locals.phone as string)));
  });
  r.put('/preferences', async (req, res) => {
    const prefs = GuardianPrefsSchema.parse(req.body);
    await data.savePrefs(res.locals.phone as string, prefs);
    res.json(prefs);
  });
  r.post('/push/subscriptions', async (req, res) => {
    const s = SubscriptionSchema.parse(req.body);
    await data.addSubscription(res.locals.phone as string, { endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth });
    res.status(201).json({ subscribed: true });
  });
  r.delete('/push/subscriptions', async (req, res) => {
    const { endpoint } = UnsubscribeSchema.parse(req.body);
    if (!(await data.removeSubscription(res.locals.phone as string, endpoint))) throw notFound();
    res.status(204).end();
  });
  return r;
}
