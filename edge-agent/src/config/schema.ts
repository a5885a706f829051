import { z } from 'zod';
import { AccessConfigSchema, accessLineClaims } from '../access/config.js';
import { CloudConfigSchema } from '../sync/config.js';
import { EnergyConfigSchema, energyLineClaims } from '../energy/config.js';
import { findLineConflicts } from '../modbus-lines/index.js';

/**
 * The edge's configuration: this schema is the single source of its types, defaults
 * and documentation (docs/configuration.md is generated from it). Every key has a
 * description; environment variables override keys as CAMPUS_EDGE__SECTION__KEY.
 */
const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);

export const ConfigSchema = z
  .strictObject({
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
    endpoints: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Run the USB endpoint guard service: PC agents, signed USB policies, USB events, device requests.'),
        brokerUrl: z
          .string()
          .regex(/^mqtts:\/\/[^\s/:]+(:\d{1,5})?$/, 'mqtts://host[:port]')
          .optional()
          .describe('Broker address written into agent config files (mqtts://host:port). If unset, the host name IT used to open the panel and the MQTT TLS port.'),
        signingKeyFile: z.string().min(1).default('endpoints/policy-signing-key.pem').describe('Ed25519 key that signs USB policies (PKCS#8 PEM, mode 0600), relative to dataDir; created on first start. Agents pin its public key.'),
        silentAfterSeconds: z.number().int().min(10).max(7 * 24 * 3600).default(300).describe('An agent that sent nothing for this long raises a silence alarm (once, until it is heard again).'),
        checkIntervalSeconds: z.number().int().min(1).max(3600).default(30).describe('How often silent agents and lapsed device grants are checked.'),
        maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(65_536).describe('Largest message accepted from a PC agent; larger ones are refused and recorded.'),
        usbEventsPerMinute: z.number().int().min(10).max(100_000).default(600).describe('USB events stored per agent per minute (burst of the same size); the excess is counted and recorded as one event.'),
      })
      .prefault({})
      .describe('USB endpoint guard (终端USB管控) on the edge.'),
    cloud: CloudConfigSchema,
    access: AccessConfigSchema.prefault({}).describe('Gate and dormitory access control (门禁): zones, gates, readers, relay boards, keys, school time zone.'),
    energy: EnergyConfigSchema.describe('Energy and electrical safety (能耗与用电安全): Modbus meters and relay circuits, schedules with the school calendar, telemetry, alarms, reports. Guide: firmware-notes/energy-setup.md.'),
    demo: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Start simulated devices and a trickle of demo events.'),
        eventIntervalMs: z.number().int().min(100).default(3000).describe('Interval between scripted demo events.'),
      })
      .prefault({})
      .describe('Demo campus.'),
  })
  .superRefine((c, ctx) => {
    // Gate relay boards and energy meters may share an RS-485 line, if they agree about it (checked within each section by its own schema).
    if (!c.energy.enabled) return;
    for (const conflict of findLineConflicts([...accessLineClaims(c.access), ...energyLineClaims(c.energy.buses)])) {
      const [a, b] = conflict.keys;
      if (a.split('.')[0] === b.split('.')[0]) continue;
      const later = /^(\w+)\.(\w+)\[(\d+)\]$/.exec(b);
      ctx.addIssue({ code: 'custom', path: later ? [later[1]!, later[2]!, Number(later[3])] : [], message: `${conflict.text['zh-CN']} / ${conflict.text.en}` });
    }
  });

export type EdgeConfig = z.infer<typeof ConfigSchema>;
export type EdgeConfigInput = z.input<typeof ConfigSchema>;
