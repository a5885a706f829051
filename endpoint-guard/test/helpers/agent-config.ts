import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfigInput } from '@campus/protocol/usb/agent-config';
import type { TestEdge } from './test-edge.js';

/** Writes an agent config (mode 0600) pointing at a test edge and a sysfs root. */
export async function writeAgentConfig(
  edge: Pick<TestEdge, 'port' | 'fingerprint' | 'keys' | 'accounts'>,
  agentId: string,
  sysfsRoot: string,
  over: Partial<AgentConfigInput> = {},
): Promise<{ path: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `guard-${agentId}-`));
  const password = `pw-${agentId}`;
  edge.accounts.set(agentId, password);
  const config: AgentConfigInput = {
    agentId,
    edge: { host: '127.0.0.1', port: edge.port, fingerprintsSha256: [edge.fingerprint], reconnectSeconds: 1 },
    credentials: { password },
    policyKeys: [{ kid: edge.keys.kid, publicKeyPem: edge.keys.publicKeyPem }],
    stateDir: join(dir, 'state'),
    sysfsRoot,
    kernelEvents: { source: 'poll', pollMs: 50 },
    heartbeatSeconds: 5,
    ...over,
  };
  const path = join(dir, 'campus-guard.json');
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  await chmod(path, 0o600);
  return { path, dir };
}
