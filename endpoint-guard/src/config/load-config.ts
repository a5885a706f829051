import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve, dirname } from 'node:path';
import type { Params } from '@campus/protocol/i18n';
import { policyKeyring, type PolicyKeyring } from '@campus/protocol/usb/signing';
import { guardText, type GuardMessageId } from '../i18n/messages.js';
import { AgentConfigSchema, type AgentConfig } from '@campus/protocol/usb/agent-config';
import { fingerprintOfPem, normalizeFingerprint } from '../edge/pinned-tls.js';

/** A configuration problem an installer can fix; the message comes in zh-CN and English. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly text: { 'zh-CN': string; en: string };
  constructor(
    readonly id: GuardMessageId,
    readonly params: Params,
  ) {
    const text = guardText(id, params);
    super(`${text['zh-CN']} / ${text.en}`);
    this.text = text;
  }
}

/** Everything the agent needs, resolved: secrets read, keys parsed, pins normalised. */
export interface LoadedConfig {
  path: string;
  config: AgentConfig;
  username: string;
  password: string;
  pins: string[];
  keyring: PolicyKeyring;
}

export async function loadAgentConfig(path: string, platform: NodeJS.Platform = process.platform): Promise<LoadedConfig> {
  const abs = resolve(path);
  const { text, mode } = await readWithMode(abs);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('guard.config.not_json', { path: abs, error: (e as Error).message });
  }
  const parsed = AgentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 4)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ConfigError('guard.config.invalid', { path: abs, detail });
  }
  const config = parsed.data;
  const base = dirname(abs);
  let password: string;
  if (config.credentials.password !== undefined) {
    refuseOpenSecret(abs, mode, platform);
    password = config.credentials.password;
  } else {
    const file = resolveFrom(base, config.credentials.passwordFile!);
    const secret = await readWithMode(file);
    refuseOpenSecret(file, secret.mode, platform);
    password = secret.text.trim();
  }

  const pins = config.edge.fingerprintsSha256.map(normalizeFingerprint);
  const pem = config.edge.certPem ?? (config.edge.certFile ? await readPlain(resolveFrom(base, config.edge.certFile)) : undefined);
  if (pem !== undefined) {
    try {
      new X509Certificate(pem);
      pins.push(fingerprintOfPem(pem));
    } catch (e) {
      throw new ConfigError('guard.config.bad_cert', { error: (e as Error).message });
    }
  }

  let keyring: PolicyKeyring;
  try {
    keyring = policyKeyring(config.policyKeys.map((k) => ({ ...(k.kid ? { kid: k.kid } : {}), publicKey: k.publicKeyPem })));
  } catch (e) {
    throw new ConfigError('guard.config.bad_key', { kid: config.policyKeys.map((k) => k.kid ?? '?').join(','), error: (e as Error).message });
  }
  return { path: abs, config: { ...config, stateDir: resolveFrom(base, config.stateDir), sysfsRoot: resolveFrom(base, config.sysfsRoot), requests: { ...config.requests, ...(config.requests.spoolDir ? { spoolDir: resolveFrom(base, config.requests.spoolDir) } : {}) } }, username: config.credentials.username ?? config.agentId, password, pins: [...new Set(pins)], keyring };
}

/**
 * A file holding a secret must not be readable or writable by group or others: a
 * password every user of a school PC can read is a password for that PC's MQTT account,
 * and a writable config could re-point the agent at a fake edge. (On Windows, file ACLs
 * protect the config instead; see firmware-notes/pc-agent-windows.md.)
 */
function refuseOpenSecret(path: string, mode: number, platform: NodeJS.Platform): void {
  if (platform !== 'win32' && (mode & 0o066) !== 0) {
    throw new ConfigError('guard.config.too_open', { path, mode: (mode & 0o777).toString(8).padStart(4, '0') });
  }
}

async function readWithMode(path: string): Promise<{ text: string; mode: number }> {
  try {
    const [st, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { text, mode: st.mode };
  } catch (e) {
    throw new ConfigError('guard.config.unreadable', { path, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
}

async function readPlain(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError('guard.config.unreadable', { path, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
}

function resolveFrom(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}
