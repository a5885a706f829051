import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '@campus/protocol/usb/agent-config';
import { policyKeyId } from '@campus/protocol/usb/signing';
import { AgentConfigRefused, buildAgentConfig, type AgentConfigInput } from '../../src/endpoints/agent-config.js';
import { checkAgentConfig, writeConfig } from './processes.js';

/**
 * The PC agent's config file has one schema (protocol/usb/agent-config). The edge checks
 * every file it hands out with it, and the real agent (`campus-guard check-config`, a
 * separate process) accepts what the edge wrote and refuses a broken file naming the key.
 */
const work = mkdtempSync(join(tmpdir(), 'agent-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function input(over: Partial<AgentConfigInput> = {}): AgentConfigInput {
  const { publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fingerprint = createHash('sha256').update(randomBytes(64)).digest('hex').toUpperCase().match(/../g)!.join(':');
  return {
    agentId: 'pc-lab1-07',
    groups: ['lab-1'],
    broker: { host: '192.168.10.2', port: 8883 },
    tlsFingerprint256: fingerprint,
    password: 'k'.repeat(32),
    policyKey: { kid: policyKeyId(publicKeyPem), publicKeyPem },
    ...over,
  };
}

describe('the PC agent config file: one schema for the edge that writes it and the agent that reads it', () => {
  it('a file the edge builds is accepted by the real agent’s check-config', async () => {
    const file = buildAgentConfig(input());
    expect(AgentConfigSchema.safeParse(file).success).toBe(true);
    const path = join(work, 'good.json');
    writeConfig(path, file);
    const r = await checkAgentConfig(path);
    expect(r.output).toContain('检查通过');
    expect(r.output).toContain('pc-lab1-07');
    expect(r.code).toBe(0);
  }, 30_000);

  it('a file with a misspelt key is refused by the agent with a message naming it (zh-CN first)', async () => {
    const file = buildAgentConfig(input());
    const { fingerprintsSha256, ...edge } = file.edge;
    const path = join(work, 'typo.json');
    writeConfig(path, { ...file, edge: { ...edge, fingerprints: fingerprintsSha256 } });
    const r = await checkAgentConfig(path);
    expect(r.code).toBe(78);
    const lines = r.output.trim().split('\n');
    expect(lines[0]).toMatch(/^配置文件 .*typo\.json 有误：/);
    expect(r.output).toContain('fingerprints');
    expect(r.output).toContain('The config file');
  }, 30_000);

  it('the edge refuses to hand out a file the agent would refuse', () => {
    expect(() => buildAgentConfig(input({ tlsFingerprint256: 'not-a-fingerprint' }))).toThrow(AgentConfigRefused);
    expect(() => buildAgentConfig(input({ tlsFingerprint256: 'not-a-fingerprint' }))).toThrow(/edge\.fingerprintsSha256\.0/);
    expect(() => buildAgentConfig(input({ groups: ['lab 1'] }))).toThrow(/groups\.0/);
  });
});
