import { readFileSync } from 'node:fs';
import { RetentionSchema } from './db/partitions.js';
import { z } from 'zod';
import { SmsConfigSchema, WebhookConfigSchema, WechatConfigSchema } from './notify/channels/http-channels.js';
import { NoticeSettingsSchema } from './notify/notice-rules.js';
import type { CloudOptions } from './cloud.js';

/**
 * `campus-cloud start --config cloud.json`. Every field may also come from the
 * environment (env wins): DATABASE_URL, CAMPUS_CLOUD_DATA_DIR, PORT, HOST,
 * CAMPUS_CLOUD_ADMIN_TOKEN, CAMPUS_CLOUD_DATA_KEY_FILE, CAMPUS_CLOUD_DEMO=1, JT808_PORT, CAMPUS_CLOUD_CARD_KEY_FILE, CAMPUS_CLOUD_PUSH_CA_FILE (tests only). Without DATABASE_URL the cloud runs on
 * PGlite in dataDir (default ./data/cloud).
 */
export const CloudConfigSchema = z.strictObject({
  databaseUrl: z.string().startsWith('postgres').optional(),
  dataDir: z.string().default('./data/cloud'),
  /** The key sealing children's medical notes (a file of 64 hex digits, kept apart from database backups); default <dataDir>/vault/data.key, created on first use. */
  dataKeyFile: z.string().optional(),
  port: z.coerce.number().int().min(0).max(65535).default(8780),
  host: z.string().default('0.0.0.0'),
  adminToken: z.string().min(16).optional(),
  vapidSubject: z.string().regex(/^(mailto:|https:)/).default('mailto:it@school.example'),
  demo: z.boolean().default(false),
  /** Staff console sign-in: failed sign-ins before an account locks, lock and session lengths. */
  staffAuth: z
    .strictObject({
      maxFailures: z.number().int().min(3).max(20).default(5),
      lockoutMinutes: z.number().int().min(1).max(24 * 60).default(15),
      /** Failed sign-ins from one address before it is refused (a school may share one NAT address). */
      addressMaxFailures: z.number().int().min(10).max(10_000).default(50),
      sessionHours: z.number().min(0.25).max(72).default(12),
    })
    .prefault({}),
  tls: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
  /** Extra CA certificate (PEM file) trusted for Web Push endpoints: only for a local test push service. */
  pushCaFile: z.string().optional(),
  channels: z
    .strictObject({ sms: SmsConfigSchema.optional(), wechat: WechatConfigSchema.optional(), webhook: WebhookConfigSchema.optional() })
    .default({}),
  notices: NoticeSettingsSchema.default(NoticeSettingsSchema.parse({})),
  /** How long events are kept, per type prefix (db/partitions.ts). */
  retention: RetentionSchema,
  /** Load balancers (addresses or CIDR subnets) whose X-Forwarded-For gives the client address; default loopback only. */
  trustProxy: z.array(z.string().min(1).max(64)).max(32).optional(),
  /** Several cloud processes: a job held by a process that died is taken over by another after this. */
  jobs: z
    .strictObject({
      expireSeconds: z.number().int().min(5).max(3600).default(120),
      supervisorSeconds: z.number().int().min(1).max(600).default(30),
    })
    .prefault({}),
  /**
   * Card print sheets from the console: the issuer key (issuer-<kid>.key, PKCS#8 PEM, as
   * `campus-edge keys init` writes it; its .pub goes to every edge) and a CJK font. Env:
   * CAMPUS_CLOUD_CARD_KEY_FILE. Absent: the console cannot print cards.
   */
  cards: z
    .strictObject({
      issuerKeyFile: z.string().min(1),
      /** Key id; default: from the file name issuer-<kid>.key. */
      kid: z.string().regex(/^[0-9A-Z]{2}$/).optional(),
      fontPath: z.string().optional(),
    })
    .optional(),
  /** School bus safety alarms: seconds to wait for an acknowledgement before the next escalation step. */
  busAlarms: z.strictObject({ stepSeconds: z.number().int().min(10).max(3600).default(120) }).prefault({}),
  /** Map tiles for the transport manager's live bus view ({z}/{x}/{y} URL); mainland China's tile servers draw in GCJ-02. Without it: the route schematic only. */
  busMap: z
    .strictObject({
      url: z.string().regex(/^https?:\/\/[^\s]+$/).refine((u) => u.includes('{z}') && u.includes('{x}') && u.includes('{y}'), 'the URL needs {z}, {x} and {y}'),
      coords: z.enum(['gcj02', 'wgs84']).default('gcj02'),
      attribution: z.string().max(200).optional(),
    })
    .optional(),
  /** JT/T 808 platform for school bus terminals (TCP); off unless configured. Env: JT808_PORT. */
  jt808: z
    .strictObject({
      port: z.coerce.number().int().min(0).max(65535).default(8808),
      /** Frames accepted per second from one terminal connection; the excess is dropped and counted. */
      maxFramesPerSecond: z.number().int().min(1).max(10_000).default(100),
    })
    .optional(),
});
export type CloudConfig = z.infer<typeof CloudConfigSchema>;

export function loadCloudConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): CloudConfig {
  const fromFile = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const fromEnv: Record<string, unknown> = {};
  if (env.DATABASE_URL) fromEnv.databaseUrl = env.DATABASE_URL;
  if (env.CAMPUS_CLOUD_DATA_DIR) fromEnv.dataDir = env.CAMPUS_CLOUD_DATA_DIR;
  if (env.CAMPUS_CLOUD_DATA_KEY_FILE) fromEnv.dataKeyFile = env.CAMPUS_CLOUD_DATA_KEY_FILE;
  if (env.PORT) fromEnv.port = env.PORT;
  if (env.HOST) fromEnv.host = env.HOST;
  if (env.CAMPUS_CLOUD_ADMIN_TOKEN) fromEnv.adminToken = env.CAMPUS_CLOUD_ADMIN_TOKEN;
  if (env.CAMPUS_CLOUD_PUSH_CA_FILE) fromEnv.pushCaFile = env.CAMPUS_CLOUD_PUSH_CA_FILE;
  if (env.CAMPUS_CLOUD_CARD_KEY_FILE) fromEnv.cards = { ...((fromFile.cards as object | undefined) ?? {}), issuerKeyFile: env.CAMPUS_CLOUD_CARD_KEY_FILE };
  if (env.JT808_PORT) fromEnv.jt808 = { ...((fromFile.jt808 as object | undefined) ?? {}), port: env.JT808_PORT };
  if (env.CAMPUS_CLOUD_DEMO) fromEnv.demo = env.CAMPUS_CLOUD_DEMO === '1' || env.CAMPUS_CLOUD_DEMO === 'true';
  return CloudConfigSchema.parse({ ...fromFile, ...fromEnv });
}

/** The card issuer key from its file; the key id from the file name unless given. */
function cardIssuerFrom(c: NonNullable<CloudConfig['cards']>): NonNullable<CloudOptions['cards']> {
  const kid = c.kid ?? /issuer-([0-9A-Z]{2})\.key$/.exec(c.issuerKeyFile)?.[1];
  if (!kid) throw new Error(`cards.issuerKeyFile ${c.issuerKeyFile}: name it issuer-<kid>.key or set cards.kid`);
  const privateKey = readFileSync(c.issuerKeyFile, 'utf8');
  if (!privateKey.includes('PRIVATE KEY')) throw new Error(`cards.issuerKeyFile ${c.issuerKeyFile} holds no PEM private key`);
  return { kid, privateKey, ...(c.fontPath ? { fontPath: c.fontPath } : {}) };
}

export function cloudOptionsFrom(cfg: CloudConfig): CloudOptions {
  return {
    ...(cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl } : { dataDir: cfg.dataDir }),
    ...(cfg.dataKeyFile ? { dataKeyFile: cfg.dataKeyFile } : {}),
    port: cfg.port,
    host: cfg.host,
    ...(cfg.adminToken ? { adminToken: cfg.adminToken } : {}),
    vapidSubject: cfg.vapidSubject,
    demo: cfg.demo,
    staffAuth: {
      maxFailures: cfg.staffAuth.maxFailures,
      lockoutMs: cfg.staffAuth.lockoutMinutes * 60_000,
      addressMaxFailures: cfg.staffAuth.addressMaxFailures,
      sessionTtlMs: Math.round(cfg.staffAuth.sessionHours * 3600_000),
    },
    channels: cfg.channels,
    notices: cfg.notices,
    retention: cfg.retention,
    jobTakeover: cfg.jobs,
    ...(cfg.trustProxy ? { trustProxy: cfg.trustProxy } : {}),
    busAlarms: { stepMs: cfg.busAlarms.stepSeconds * 1000 },
    ...(cfg.busMap ? { busMap: cfg.busMap } : {}),
    ...(cfg.jt808 ? { jt808: { port: cfg.jt808.port, maxFramesPerSecond: cfg.jt808.maxFramesPerSecond } } : {}),
    ...(cfg.pushCaFile ? { pushCa: readFileSync(cfg.pushCaFile) } : {}),
    ...(cfg.cards ? { cards: cardIssuerFrom(cfg.cards) } : {}),
    ...(cfg.tls ? { tls: { cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) } } : {}),
  };
}
