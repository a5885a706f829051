import { z } from 'zod';
import { SchoolConfigSchema } from '../school/config.js';

/**
 * The edge's own config sections (site, store, HTTP, MQTT, clock, …) and the school's
 * shared facts. Each domain brings its own section (DomainDefinition.config);
 * src/edge-config.ts composes them into the whole schema, the single source of the
 * config's types, defaults and documentation (docs/configuration.md is generated from
 * it). Every key has a description; environment variables override keys as
 * CAMPUS_EDGE__SECTION__KEY.
 */
const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);

export const CORE_CONFIG_SECTIONS = {
    site: z
      .strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-" (max 32)').default('demo-campus').describe('Stable id of this campus; appears in every event.'),
        name: z.string().min(1).max(64).default('演示校园').describe('Display name of the campus shown in the panel.'),
      })
      .prefault({})
      .describe('Which campus this edge box serves.'),
    dataDir: z.string().min(1).default('./data').describe('Where the database, TLS certificate, keys and backups are kept.'),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
      })
      .prefault({})
      .describe('Structured logging (pino).'),
    store: z
      .strictObject({
        file: z.string().min(1).default('edge.db').describe('SQLite file name, relative to dataDir.'),
        synchronous: z
          .enum(['normal', 'full'])
          .default('normal')
          .describe(
            'SQLite synchronous mode (WAL). "normal": every committed write survives a crash or kill of the daemon, and a power cut loses at most the last flushIntervalMs of writes, never the database. "full": fsync on every commit (survives power cuts, but each write waits for the flash: slower on SD cards).',
          ),
        flushIntervalMs: z.number().int().min(100).max(60_000).default(1000).describe('With synchronous "normal": how often the write-ahead log is checkpointed to storage, bounding what a power cut can lose.'),
        backupDir: z.string().min(1).default('backups').describe('Where automatic pre-migration backups go, relative to dataDir.'),
        dataKeyFile: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Key that encrypts minors’ sensitive data at rest (phone numbers, photos, the cloud’s records of people; AES-256-GCM). Unset: dataDir/vault/data.key, created on first start (mode 0600). Keep a copy apart from the database backups: without it they cannot be read. If set, the file must exist.',
          ),
      })
      .prefault({})
      .describe('The edge database.'),
    http: z
      .strictObject({
        host: host.default('0.0.0.0').describe('Interface the panel and API listen on.'),
        port: port.default(8080).describe('Port of the panel and API (0 = any free port).'),
        panelDir: z.string().optional().describe('Folder of the built web panel; defaults to the web-panel package build.'),
        sessionTtlHours: z.number().positive().max(24 * 30).default(12).describe('How long a panel sign-in lasts.'),
        secureCookies: z.boolean().default(false).describe('Mark session cookies Secure (enable when the panel is served over HTTPS).'),
        maxBodyBytes: z.number().int().positive().default(1_048_576).describe('Largest accepted JSON body.'),
      })
      .prefault({})
      .describe('Local web panel and REST API.'),
    auth: z
      .strictObject({
        maxFailedLogins: z.number().int().min(1).default(5).describe('Failed sign-ins per user and address before a lockout.'),
        lockoutSeconds: z.number().int().min(1).default(300).describe('How long a lockout lasts.'),
        bootstrapAdmin: z
          .strictObject({
            username: z.string().min(1).max(64).default('admin').describe('User name of the first administrator.'),
            password: z.string().min(8, 'at least 8 characters').optional().describe('Initial admin password, used only when no user exists yet. If unset, a random one is generated and printed once.'),
          })
          .prefault({})
          .describe('The first administrator account.'),
      })
      .prefault({})
      .describe('Panel users and sign-in protection.'),
    mqtt: z
      .strictObject({
        host: host.default('0.0.0.0').describe('Interface the broker listens on.'),
        port: port.default(1883).describe('Plain MQTT port: loopback and trusted device segments only (0 = any free port).'),
        tls: z
          .strictObject({
            enabled: z.boolean().default(true).describe('Serve MQTT over TLS for PC agents and devices across the LAN.'),
            port: port.default(8883).describe('MQTT over TLS port (0 = any free port).'),
            certFile: z.string().optional().describe('PEM certificate supplied by the school; if unset, the edge creates a self-signed one in dataDir/tls on first start.'),
            keyFile: z.string().optional().describe('PEM private key for certFile.'),
          })
          .prefault({})
          .describe('MQTT over TLS.'),
        websocket: z
          .strictObject({
            enabled: z.boolean().default(false).describe('Serve MQTT over secure WebSocket (wss://) for browser dashboards, with the broker’s TLS certificate. Needs mqtt.tls.enabled.'),
            port: port.default(8884).describe('wss:// port (0 = any free port).'),
            path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'a URL path starting with "/"').default('/mqtt').describe('URL path of the WebSocket endpoint.'),
          })
          .prefault({})
          .describe('MQTT over secure WebSocket (same accounts, ACL and limits as MQTT over TLS; never in clear).'),
        maxPayloadBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(262_144).describe('Largest accepted MQTT message payload.'),
        maxTopicLevels: z.number().int().min(2).max(64).default(12).describe('Deepest accepted topic.'),
        queueLimit: z.number().int().min(1).default(100).describe('In-flight messages queued per client before the broker drops the client.'),
        connectTimeoutMs: z.number().int().min(100).default(10_000).describe('Time a client has to send CONNECT.'),
      })
      .superRefine((m, ctx) => {
        if (m.websocket.enabled && !m.tls.enabled) {
          ctx.addIssue({ code: 'custom', path: ['websocket', 'enabled'], message: 'MQTT over WebSocket is served only over TLS (wss://): set mqtt.tls.enabled to true' });
        }
      })
      .prefault({})
      .describe('Embedded MQTT broker (aedes, MQTT 3.1.1).'),
    clock: z
      .strictObject({
        trust: z.enum(['auto', 'always', 'never']).default('auto').describe('"auto" trusts the system clock once NTP reports it synchronised (or the cloud corrects it).'),
        checkIntervalSeconds: z.number().int().min(1).default(30).describe('How often the clock is checked for sync and jumps.'),
      })
      .prefault({})
      .describe('Whether the system clock can be trusted.'),
    school: SchoolConfigSchema,
    demo: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Start simulated devices and a trickle of demo events.'),
        eventIntervalMs: z.number().int().min(100).default(3000).describe('Interval between scripted demo events.'),
      })
      .prefault({})
      .describe('Demo campus.'),
};

/** The whole schema: the core sections plus every registered domain's section (strict: an unknown key anywhere stops start-up). */
export function composeConfigSchema<S extends Record<string, z.ZodType>>(domainSections: S) {
  for (const key of Object.keys(domainSections)) if (key in CORE_CONFIG_SECTIONS) throw new Error(`config section "${key}" is a core section`);
  return z.strictObject({ ...CORE_CONFIG_SECTIONS, ...domainSections });
}
