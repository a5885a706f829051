import { AgentConfigSchema, type IssuedAgentConfig } from '@campus/protocol/usb/agent-config';

/**
 * The config file a PC's campus-guard agent starts with (protocol's AgentConfigSchema,
 * the schema the agent parses with): where the edge is, the edge certificate's
 * fingerprint to pin, the public key policies are signed with, and the PC's own MQTT
 * password. It holds a secret: the edge keeps only the password's hash, so the file can
 * be downloaded once, right after it is made, and the agent refuses it unless it is
 * readable by its owner alone.
 */
export type AgentConfigFile = IssuedAgentConfig;

export interface AgentConfigInput {
  agentId: string;
  groups: readonly string[];
  broker: { host: string; port: number };
  tlsFingerprint256: string;
  password: string;
  policyKey: { kid: string; publicKeyPem: string };
}

/** A config file the agent would refuse; the edge does not hand it out. */
export class AgentConfigRefused extends Error {
  override name = 'AgentConfigRefused';
  constructor(readonly detail: string) {
    super(`the agent would refuse this config file: ${detail}`);
  }
}

/** Builds the file and checks it with the agent's own schema before anyone downloads it. */
export function buildAgentConfig(i: AgentConfigInput): AgentConfigFile {
  const file: AgentConfigFile = {
    agentId: i.agentId,
    groups: [...i.groups],
    edge: { host: i.broker.host, port: i.broker.port, fingerprintsSha256: [i.tlsFingerprint256] },
    credentials: { password: i.password },
    policyKeys: [{ kid: i.policyKey.kid, publicKeyPem: i.policyKey.publicKeyPem }],
  };
  const checked = AgentConfigSchema.safeParse(file);
  if (!checked.success) {
    throw new AgentConfigRefused(checked.error.issues.slice(0, 4).map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; '));
  }
  return file;
}

export function agentConfigFileName(agentId: string): string {
  return `campus-guard-${agentId}.json`;
}

/**
 * Where agents should connect: the configured broker URL, else the host name IT used to
 * reach the panel (it is on the campus LAN and reachable from the PCs), or one IT typed.
 */
export function brokerAddress(opts: { configuredUrl?: string; requestedHost?: string; panelHost?: string; tlsPort: number }): { host: string; port: number; source: 'request' | 'config' | 'panel' } {
  if (opts.requestedHost) return { host: opts.requestedHost, port: opts.tlsPort, source: 'request' };
  if (opts.configuredUrl) {
    const u = new URL(opts.configuredUrl);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 8883, source: 'config' };
  }
  return { host: opts.panelHost || 'localhost', port: opts.tlsPort, source: 'panel' };
}
