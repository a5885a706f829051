import http from 'node:http';
import express from 'express';
import { maintainEventPartitions, RetentionSchema } from './db/partitions.js';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { EventEnvelope } from '@campus/protocol';
import type { Queryable } from './db/database.js';
import type { Database } from './db/database.js';
import { migrate } from './db/migrations.js';
import { openDatabase } from './db/open.js';
import { EdgeAuthenticator } from './edge-api/edge-auth.js';
import { EventIngest } from './edge-api/ingest.js';
import { edgeRoutes } from './edge-api/routes.js';
import { LiveHub, liveTopic } from './live/hub.js';
import { consoleStatic } from './console/static.js';
import { ChangeNotifier } from './feed/change-notifier.js';
import { RecordStore } from './feed/records.js';
import { Jt808Server, TerminalRegistry, type Jt808ServerOptions } from './bus/jt808-server.js';
import { edgePositionHook, type EdgePositionStats } from './bus/edge-positions.js';
import { BusLive } from './bus/live.js';
import { PositionStore } from './bus/positions.js';
import { BUS_ALARM_JOB, BusAlarms, type BusAlarmJob } from './bus/alarms.js';
import { guardianNoticeLogRoutes } from './notify/notice-log.js';
import { STAFF_NOTICE_JOB, StaffNotifier, staffNoticeRoutes, staffSubscriptionKeys, type StaffNoticeJob } from './notify/staff-notifier.js';
import { busAlarmRoutes, busFleetRoutes, busRecordRoutes, busRequestRoutes, type BusRecordRouteHooks } from './bus/record-routes.js';
import { BusRequestDesk } from './bus/requests.js';
import { BusReports } from './bus/reports.js';
import type { BusMapTiles } from './bus/fleet.js';
import { buildApp } from './http/app.js';
import { PgBossQueue } from './jobs/pg-boss-queue.js';
import type { JobQueue } from './jobs/queue.js';
import { TableQueue } from './jobs/table-queue.js';
import { jsonLogger, type CloudLogger } from './logger.js';
import { SmsChannel, SmsConfigSchema, WebhookChannel, WebhookConfigSchema, WechatChannel, WechatConfigSchema } from './notify/channels/http-channels.js';
import { WebPushChannel, type VapidKeys } from './notify/channels/web-push.js';
import { GuardianNotifier } from './notify/guardian-notifier.js';
import { NoticeSettingsSchema } from './notify/notice-rules.js';
import { NOTIFY_JOB, type NotifyJob } from './notify/notice-candidates.js';
import { LeaveDesk } from './homeschool/leaves.js';
import { homeRoutes, homeStaffRoutes } from './homeschool/routes.js';
import { homeMessageDesks, homeMessageRoutes, homeMessageStaffRoutes, noticeUploadBody } from './homeschool/messages-routes.js';
import { join } from 'node:path';
import { healthRoutes } from './homeschool/health-routes.js';
import { AlertSms } from './homeschool/alert-sms.js';
import { CloudSeal } from './homeschool/seal.js';
import { VisitDesk } from './homeschool/visits.js';
import { GuardianAuth } from './parent/guardian-auth.js';
import { GuardianData } from './parent/guardian-data.js';
import { parentRoutes } from './parent/routes.js';
import { parentStatic } from './parent/static.js';
import { storedAdminToken, storedVapidKeys } from './settings.js';
import { StaffRouter, type RouteInfo } from './staff/access.js';
import { StaffAccounts } from './staff/accounts.js';
import { StaffAudit } from './staff/audit.js';
import { importRoutes } from './staff/import-routes.js';
import { cardSheetRoutes, type CardIssuerOptions } from './staff/card-sheet-routes.js';
import { recordRoutes } from './staff/record-routes.js';
import { staffRoutes } from './staff/routes.js';
import { DEFAULT_STAFF_AUTH, StaffAuth, type StaffAuthOptions } from './staff/staff-auth.js';
import { adminRoutes } from './tenancy/admin-routes.js';
import { DistrictRollup } from './district/rollup.js';
import { districtRoutes } from './district/routes.js';
import { ApiKeys } from './open/api-keys.js';
import { openApiRouter } from './open/read-api.js';
import { openStaffRoutes } from './open/staff-routes.js';
import { DEFAULT_WEBHOOK_OPTIONS, Webhooks, type WebhookOptions } from './open/webhooks.js';
import { Districts } from './tenancy/districts.js';
import { Tenancy, type IssuedCredentials } from './tenancy/tenancy.js';

export interface CloudChannels {
  sms?: z.input<typeof SmsConfigSchema>;
  wechat?: z.input<typeof WechatConfigSchema>;
  webhook?: z.input<typeof WebhookConfigSchema>;
}

export interface CloudOptions {
  /** postgres://… for PostgreSQL (pg-boss jobs); otherwise PGlite in `dataDir` (in memory when absent). */
  databaseUrl?: string;
  dataDir?: string;
  port?: number;
  host?: string;
  /** Fixed admin token; otherwise one is generated on first start and kept in the database. */
  adminToken?: string;
  /** VAPID keys; otherwise generated on first start and kept in the database. */
  vapid?: VapidKeys;
  vapidSubject?: string;
  /** Extra CA to trust when sending Web Push (a local test push receiver). */
  pushCa?: string | Buffer;
  channels?: CloudChannels;
  /** Folding of repeated scans and quiet hours of guardian notices (config `notices`). */
  notices?: z.input<typeof NoticeSettingsSchema>;
  /** Event retention per type prefix; partitions are kept every 6 hours by one of the processes. */
  retention?: z.input<typeof RetentionSchema>;
  /** The clock guardian notices read (quiet hours, release of held notices); tests play a night with it. */
  noticeClock?: () => number;
  /** The card issuer key the console's card print sheets are signed with (config `cards`); absent: printing is refused. */
  cards?: CardIssuerOptions;
  /** Folder of the console's build (default: web-panel/dist-console). */
  consoleDir?: string;
  /** Serve HTTPS with this certificate instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Demo: sign-in codes are printed to the log when no SMS gateway is configured. */
  demo?: boolean;
  /** Job queue: pg-boss (default on PostgreSQL) or the job table (always used on PGlite). */
  jobs?: 'pg-boss' | 'table';
  /** pg-boss: how soon a job held by a dead process is taken over (seconds; see PgBossQueue). */
  jobTakeover?: { expireSeconds: number; supervisorSeconds: number };
  /** Load balancer addresses or subnets (e.g. "10.0.0.0/24") trusted for X-Forwarded-For; default loopback only. */
  trustProxy?: string[];
  /** Staff sign-in: failures before lockout, lockout and session lengths (defaults: 5, 15 min, 12 h). */
  staffAuth?: Partial<Omit<StaffAuthOptions, 'now'>>;
  /** Open data: webhook delivery (timeouts, backoff, auto-disable) and the event feed's settle time. */
  openData?: { webhooks?: Partial<WebhookOptions>; settleMs?: number };
  /** How often the home-school sweep looks for children not back when their leave ended (default 60 s). */
  leaveSweepMs?: number;
  /** How often home-school alerts not yet sent by SMS are sent (default 5 s). */
  alertSmsMs?: number;
  /**
   * The data key sealing children's medical notes: a file holding 64 hex digits (default
   * <dataDir>/vault/data.key, created on first use; a named file must exist), or the key itself (tests).
   */
  dataKeyFile?: string;
  dataKey?: Buffer;
  /** School bus alarms: wait between escalation steps (attendant → transport manager → school admin), default 120 s. */
  busAlarms?: { stepMs?: number };
  /** JT/T 808 terminals over TCP (school bus positions): started when given (port 0 = any free port). */
  jt808?: Omit<Jt808ServerOptions, 'logger'>;
  /** Map tiles for the transport manager's live view (none: the route schematic only). Chinese tiles draw in GCJ-02. */
  busMap?: BusMapTiles;
  logger?: CloudLogger;
  now?: () => number;
}

export interface ProvisionInput {
  schoolName: string;
  schoolId?: string;
  site: string;
  campusName?: string;
  edgeName?: string;
}

export interface RunningCloud {
  url: string;
  port: number;
  adminToken: string;
  /** True only on the start that generated the admin token (first-run set-up): the one time it may be shown. */
  adminTokenCreated: boolean;
  vapidPublicKey: string;
  db: Database;
  tenancy: Tenancy;
  records: RecordStore;
  queue: JobQueue;
  districts: Districts;
  /** Open data (API keys, webhooks) and the district roll-up. */
  openData: { keys: ApiKeys; webhooks: Webhooks; rollup: DistrictRollup; openApi: Record<string, unknown> };
  /** Home-school leave applications (tests run its overdue sweep directly). */
  leaves: LeaveDesk;
  /** Home-school alerts by SMS (tests run its sweep directly). */
  alertSms: AlertSms;
  /** School bus: where positions land, the JT/T 808 terminals known, and the TCP server when configured. */
  bus: { positions: PositionStore; edgePositions: EdgePositionStats; terminals: TerminalRegistry; jt808: Jt808Server | null };
  /** The staff API's route table (method, path, scope, roles, audit action). */
  staffRoutes: RouteInfo[];
  /** One call for the demo and tests: school (created if new), campus with `site`, edge with credentials. */
  provisionEdge(input: ProvisionInput): Promise<{ schoolId: string; campusId: string; edgeId: string; credentials: IssuedCredentials }>;
  close(): Promise<void>;
}

/**
 * Starts the cloud service in this process: database and migrations, job queue and
 * notification worker, HTTP(S) server. Returns when it is listening.
 */
export async function startCloud(opts: CloudOptions = {}): Promise<RunningCloud> {
  const log = opts.logger ?? jsonLogger();
  const onError = (err: Error) => log.error({ err: err.message, stack: err.stack }, 'cloud error');
  const db = await openDatabase({ ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), onError: (err) => log.warn({ err: err.message }, 'database connection lost; the pool reconnects') });
  const closers: (() => Promise<void> | void)[] = [() => db.close()];
  try {
    await migrate(db);
    const retention = RetentionSchema.parse(opts.retention ?? {});
    const clock = opts.now ?? Date.now;
    const maintain = () =>
      maintainEventPartitions(db, clock(), retention).then(
        (r) => r && (r.created.length || r.dropped.length || r.deleted) && log.info(r, 'event partitions maintained'),
        (err: Error) => log.warn({ err: err.message }, 'event partition maintenance failed; retried in 6 hours'),
      );
    await maintain();
    const maintenance = setInterval(() => void maintain(), 6 * 3600_000);
    maintenance.unref();
    closers.unshift(() => clearInterval(maintenance));
    const stored = opts.adminToken ? null : await storedAdminToken(db);
    const adminToken = opts.adminToken ?? stored!.value;
    const vapid = opts.vapid ?? (await storedVapidKeys(db, opts.vapidSubject ?? 'mailto:it@school.example'));

    const useBoss = db.kind === 'postgres' && opts.jobs !== 'table' && opts.databaseUrl;
    const queue: JobQueue = useBoss ? new PgBossQueue(opts.databaseUrl!, { onError, ...opts.jobTakeover }) : new TableQueue(db, { onError });
    await queue.start();
    closers.unshift(() => queue.stop());

    const tenancy = new Tenancy(db);
    const notifier = new ChangeNotifier();
    closers.unshift(await notifier.attach(db));
    const live = new LiveHub();
    closers.unshift(await live.attach(db));
    const records = new RecordStore(db, notifier);
    const noticeSettings = NoticeSettingsSchema.parse(opts.notices ?? {});
    const guardianData = new GuardianData(db, noticeSettings);
    const now = opts.now ?? Date.now;

    const sms = opts.channels?.sms ? new SmsChannel(SmsConfigSchema.parse(opts.channels.sms)) : undefined;
    const wechat = opts.channels?.wechat ? new WechatChannel(WechatConfigSchema.parse(opts.channels.wechat)) : undefined;
    const webhook = opts.channels?.webhook ? new WebhookChannel(WebhookConfigSchema.parse(opts.channels.webhook)) : undefined;
    const webpush = new WebPushChannel(vapid, (endpoints) => guardianData.subscriptionKeys(endpoints), opts.pushCa);
    closers.unshift(() => webpush.close());
    const guardianNotifier = new GuardianNotifier(db, { webpush, sms, wechat, webhook }, { now: opts.noticeClock ?? now, onError, settings: noticeSettings });
    await queue.work<NotifyJob>(NOTIFY_JOB, (jobs) => guardianNotifier.handle(jobs));
    guardianNotifier.start();
    closers.unshift(() => guardianNotifier.stop());

    const auth = new EdgeAuthenticator(db, tenancy, now);
    auth.start();
    closers.unshift(() => auth.stop());
    const webhooks = new Webhooks(db, queue, { ...DEFAULT_WEBHOOK_OPTIONS, now, ...opts.openData?.webhooks }, onError);
    await webhooks.start();
    const rollup = new DistrictRollup(db, queue, now);
    await rollup.start();
    const positions = new PositionStore(db, { onError });
    closers.unshift(() => positions.close());
    const edgePositions = edgePositionHook(positions, (what, detail) => log.warn(detail, what));
    const busAlarms = new BusAlarms(db, queue, sms, { stepMs: opts.busAlarms?.stepMs ?? 120_000, now, onError });
    await queue.work<BusAlarmJob>(BUS_ALARM_JOB, (jobs) => busAlarms.handle(jobs));
    const busIngest = {
      // Bus positions land in their table and safety alarms start their escalation, in the batch's transaction.
      async stored(tx: Queryable, schoolId: string, fresh: EventEnvelope[]) {
        await edgePositions.hook(tx, schoolId, fresh);
        await busAlarms.raise(tx, schoolId, fresh);
        // Trips, stops and rides change the parents' bus cards (positions notify by trigger).
        if (fresh.some((e) => BUS_LIVE_TYPES.has(e.type))) await LiveHub.publish(tx, liveTopic.bus(schoolId));
      },
    };
    // Work-order notices to workers and contractors (SMS, and Web Push where the staff account subscribed).
    const staffPush = new WebPushChannel(vapid, (endpoints) => staffSubscriptionKeys(db, endpoints), opts.pushCa);
    closers.unshift(() => staffPush.close());
    const staffNotices = new StaffNotifier(db, queue, { sms, webpush: staffPush }, { now, onError });
    await queue.work<StaffNoticeJob>(STAFF_NOTICE_JOB, (jobs) => staffNotices.handle(jobs));
    const ingest = new EventIngest(db, tenancy, queue, now, [rollup, webhooks, busIngest, staffNotices]);
    /** Sign-in codes go out by the SMS channel; in demo mode without one they are logged. */
    const codeSender = (who: string) => async (phone: string, text: string, code: string) => {
      if (sms) {
        const r = await sms.send(phone, text, 'otp');
        if (r.status !== 'sent') log.warn({ phone: mask(phone), error: r.error }, `${who} sign-in code SMS failed`);
      } else if (opts.demo) log.info({ phone, code }, `demo: ${who} sign-in code ${code} for ${phone}`);
      else log.warn({ phone: mask(phone) }, `no SMS gateway configured: ${who} sign-in code not sent`);
    };
    const guardianAuth = new GuardianAuth(db, codeSender('parent'), now);

    const staffAuthOpts: StaffAuthOptions = { ...DEFAULT_STAFF_AUTH, ...opts.staffAuth, now };
    const staffAudit = new StaffAudit(now);
    const staffAccounts = new StaffAccounts(now);
    const districts = new Districts(db);
    const staffAuth = new StaffAuth(db, staffAudit, codeSender('staff'), staffAuthOpts);
    const busHooks: BusRecordRouteHooks = {};
    const staffApi = new StaffRouter({ db, auth: staffAuth, audit: staffAudit });
    staffRoutes(staffApi, { auth: staffAuth, accounts: staffAccounts, audit: staffAudit, records, secureCookies: !!opts.tls, sessionTtlMs: staffAuthOpts.sessionTtlMs, live });
    recordRoutes(staffApi, records);
    const apiKeys = new ApiKeys(db, now);
    openStaffRoutes(staffApi, { keys: apiKeys, webhooks });
    districtRoutes(staffApi, { rollup, audit: staffAudit, now });
    const open = openApiRouter({ db, records, keys: apiKeys, audit: staffAudit, settleMs: opts.openData?.settleMs ?? 5_000, now });
    importRoutes(staffApi, records);
    cardSheetRoutes(staffApi, records, opts.cards);
    const leaves = new LeaveDesk(db, records, now);
    const visits = new VisitDesk(db, records, now);
    homeStaffRoutes(staffApi, leaves, visits, { records, guardianAuth, now });
    const homeMessages = homeMessageDesks({ db, guardianAuth, now });
    homeMessageStaffRoutes(staffApi, homeMessages, { db });
    const sweep = setInterval(() => void leaves.sweepOverdue().catch(onError), opts.leaveSweepMs ?? 60_000);
    sweep.unref();
    closers.unshift(() => clearInterval(sweep));
    const seal = new CloudSeal(opts.dataKey ? { key: opts.dataKey } : { file: opts.dataKeyFile ?? join(opts.dataDir ?? './data/cloud', 'vault', 'data.key'), configured: !!opts.dataKeyFile });
    const healthParts = healthRoutes(staffApi, { db, records, guardianAuth, seal, now });
    const alertSms = new AlertSms(db, sms, now);
    const smsSweep = setInterval(() => void alertSms.sweep().catch(onError), opts.alertSmsMs ?? 5_000);
    smsSweep.unref();
    closers.unshift(() => clearInterval(smsSweep));
    const terminals = new TerminalRegistry(db);
    await terminals.start();
    closers.unshift(() => terminals.stop());
    busHooks.changed = (_schoolId, kind) => {
      if (kind === 'bus_vehicle') void terminals.reload().catch(onError);
    };
    let jt808: Jt808Server | null = null;
    if (opts.jt808) {
      jt808 = new Jt808Server(terminals, positions, { host: opts.host ?? '127.0.0.1', ...opts.jt808, logger: log });
      const port = await jt808.listen();
      const server808 = jt808;
      closers.unshift(() => server808.close());
      log.info({ port }, 'JT/T 808 server listening');
    }
    busRecordRoutes(staffApi, records, busHooks);
    busAlarmRoutes(staffApi, busAlarms);
    staffNoticeRoutes(staffApi, staffNotices, vapid.publicKey, now);
    guardianNoticeLogRoutes(staffApi);
    const busRequests = new BusRequestDesk(db, records, now);
    busRequestRoutes(staffApi, busRequests, records);
    busFleetRoutes(staffApi, { reports: new BusReports(), map: opts.busMap ?? null, now });

    const app = buildApp({
      ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
      edge: edgeRoutes(auth, ingest, records),
      admin: adminRoutes(adminToken, tenancy, db, { accounts: staffAccounts, audit: staffAudit, districts, onError }),
      parent: parentRoutes(guardianAuth, guardianData, vapid.publicKey, { live: new BusLive(db, positions), now, hub: live, requests: busRequests }),
      home: express.Router()
        .use(
          homeMessageRoutes(homeMessages, { db, guardianAuth, now }),
          homeRoutes(leaves, visits, { db, records, guardianAuth, staffAuth, sendCode: codeSender('app'), secureCookies: !!opts.tls, sessionTtlMs: staffAuthOpts.sessionTtlMs, now }),
        )
        .use('/guardian', healthParts.guardian),
      staff: express.Router().use(noticeUploadBody(), staffApi.router()),
      staffOpenApi: staffApi.openapiPaths(),
      open: open.router,
      parentStatic: parentStatic(),
      consoleStatic: consoleStatic(opts.consoleDir),
      health: async () => {
        await db.query('SELECT 1');
        return { ok: true, database: db.kind, jobs: queue.kind };
      },
      onError,
    });
    const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, app) : http.createServer(app);
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    closers.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
    const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log.info({ url, database: db.kind, jobs: queue.kind }, 'cloud listening');

    let closed = false;
    return {
      url,
      port,
      adminToken,
      adminTokenCreated: stored?.created ?? false,
      vapidPublicKey: vapid.publicKey,
      db,
      tenancy,
      records,
      queue,
      districts,
      openData: { keys: apiKeys, webhooks, rollup, openApi: open.document },
      leaves,
      alertSms,
      bus: { positions, edgePositions: edgePositions.stats, terminals, jt808 },
      staffRoutes: staffApi.routes(),
      async provisionEdge(input) {
        const existing = input.schoolId ? (await tenancy.listSchools()).find((s) => s.id === input.schoolId) : undefined;
        const school = existing ?? (await tenancy.createSchool({ name: input.schoolName, ...(input.schoolId ? { id: input.schoolId } : {}) }));
        const campus = await tenancy.createCampus(school.id, { name: input.campusName ?? input.schoolName, site: input.site });
        const edge = await tenancy.createEdge(school.id, { name: input.edgeName ?? `${input.site} edge`, campusId: campus.id });
        return { schoolId: school.id, campusId: campus.id, edgeId: edge.edgeId, credentials: edge.credentials };
      },
      async close() {
        if (closed) return;
        closed = true;
        for (const c of closers) await c();
      },
    };
  } catch (err) {
    for (const c of closers) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

/** Edge events that change a parent's bus card. */
const BUS_LIVE_TYPES = new Set(['bus.trip', 'bus.stop', 'bus.boarding', 'bus.alighting']);

function mask(phone: string): string {
  return phone.length > 7 ? phone.slice(0, 3) + '****' + phone.slice(-4) : '****';
}
