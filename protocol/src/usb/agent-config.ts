import { z } from 'zod';
import { ID_RE } from '../topics.js';
import { KID_RE } from './signing.js';

/**
 * The config file of the PC agent (campus-guard, endpoint-guard/), strict JSON. This is
 * the one description of the file: the agent parses with it, the edge checks every file
 * it hands out with it (edge-agent/src/endpoints/agent-config.ts), the panel compiles
 * against its types. Unknown keys are refused so that a typo ("fingerprints" for
 * "fingerprintsSha256") fails loudly instead of silently disabling certificate pinning.
 */
export const FINGERPRINT_RE = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

export const AgentConfigSchema = z.strictObject({
  /** The PC's id: MQTT client id and topic level (campus/pc/{agentId}/...). */
  agentId: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)'),
  /** Groups this PC belongs to (policy targets such as "lab-1"). */
  groups: z.array(z.string().regex(ID_RE)).max(32).default([]),
  edge: z
    .strictObject({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).default(8883),
      /** TLS server name (SNI); defaults to host when host is a name. */
      servername: z.string().max(253).optional(),
      /** SHA-256 fingerprints of the edge certificate (current and next, for rotation). */
      fingerprintsSha256: z.array(z.string().regex(FINGERPRINT_RE, 'SHA-256 fingerprint, AB:CD:... or 64 hex digits')).max(4).default([]),
      /** Or the edge certificate itself (PEM text, or a file path). */
      certPem: z.string().max(20_000).optional(),
      certFile: z.string().max(4096).optional(),
      keepaliveSeconds: z.number().int().min(5).max(600).default(30),
      reconnectSeconds: z.number().min(1).max(300).default(5),
    })
    .refine((e) => e.fingerprintsSha256.length > 0 || e.certPem !== undefined || e.certFile !== undefined, {
      message: 'pin the edge certificate: fingerprintsSha256, certPem or certFile',
    }),
  credentials: z
    .strictObject({
      /** Defaults to agentId. */
      username: z.string().min(1).max(128).optional(),
      password: z.string().min(1).max(256).optional(),
      /** A separate file holding only the password (then this config holds no secret). */
      passwordFile: z.string().max(4096).optional(),
    })
    .refine((c) => (c.password === undefined) !== (c.passwordFile === undefined), { message: 'give exactly one of password or passwordFile' }),
  /** Public keys the edge signs policies with; more than one during a key rotation. */
  policyKeys: z
    .array(z.strictObject({ kid: z.string().regex(KID_RE).optional(), publicKeyPem: z.string().min(1).max(4096) }))
    .min(1)
    .max(8),
  /** Where the last good policy and queued events are kept. */
  stateDir: z.string().min(1).default('/var/lib/campus-guard'),
  /** "/sys" on a PC; a fake kernel tree in tests and demos. */
  sysfsRoot: z.string().min(1).default('/sys'),
  kernelEvents: z
    .strictObject({
      /** auto: udevadm when the sysfs root is /sys and udevadm exists, else poll. */
      source: z.enum(['auto', 'udevadm', 'poll']).default('auto'),
      pollMs: z.number().int().min(20).max(60_000).default(500),
      command: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({ source: 'auto', pollMs: 500 }),
  heartbeatSeconds: z.number().int().min(5).max(3600).default(30),
  /** Upper bound between re-checks while temporary exceptions exist. */
  recheckSeconds: z.number().int().min(1).max(3600).default(60),
  events: z
    .strictObject({
      /** Sustained USB events per second sent to the edge, per lane (blocked / the rest). */
      perSecond: z.number().min(0.1).max(1000).default(10),
      burst: z.number().int().min(1).max(10_000).default(50),
      /** Events kept while the edge is unreachable; the oldest go first. */
      queueMax: z.number().int().min(10).max(100_000).default(1000),
    })
    .default({ perSecond: 10, burst: 50, queueMax: 1000 }),
  /** Device requests teachers drop with `campus-guard request` (see requests/request-spool.ts). */
  requests: z
    .strictObject({
      /**
       * Created by the agent with mode 1733 (like /tmp): users drop files, cannot read others'.
       * Defaults to endpoint-guard's DEFAULT_SPOOL_DIR on a real PC (sysfsRoot /sys); an agent on a fake
       * kernel (tests, demos) takes requests only from a spoolDir given here.
       */
      spoolDir: z.string().min(1).optional(),
      /** Fallback scan interval, in case a file-system notification is missed. */
      scanSeconds: z.number().min(0.05).max(3600).default(10),
      /** Requests accepted per OS user and hour; more are discarded and logged. */
      perUserPerHour: z.number().int().min(1).max(1000).default(6),
    })
    .default({ scanSeconds: 10, perUserPerHour: 6 }),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

/**
 * The file the edge writes when it registers a PC: the part of the agent's config it
 * fills (the agent's defaults cover the rest), with the password inline and the edge
 * certificate pinned by fingerprint. Any IssuedAgentConfig is an AgentConfigInput.
 */
export type IssuedAgentConfig = Pick<AgentConfigInput, 'agentId'> & {
  groups: string[];
  edge: AgentConfigInput['edge'] & { port: number; fingerprintsSha256: string[] };
  credentials: AgentConfigInput['credentials'] & { password: string };
  policyKeys: Array<AgentConfigInput['policyKeys'][number] & { kid: string }>;
};
