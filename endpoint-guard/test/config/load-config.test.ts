import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePolicyKeyPair } from '@campus/protocol/usb/signing';
import { ConfigError, loadAgentConfig } from '../../src/config/load-config.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { edgeCertificate } from '../helpers/test-edge.js';

const keys = generatePolicyKeyPair();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FP = 'aa'.repeat(32);
function base(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agentId: 'pc-lab1-01',
    edge: { host: 'edge.campus.local', fingerprintsSha256: [FP] },
    credentials: { password: 's3cret' },
    policyKeys: [{ publicKeyPem: keys.publicKeyPem }],
    ...over,
  };
}

async function write(name: string, content: unknown, mode: number): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content));
  await chmod(p, mode);
  return p;
}

async function refusal(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(e)}`);
  return e;
}

describe('loadAgentConfig', () => {
  it('loads a 0600 config with defaults, normalised pins and a keyring', async () => {
    const loaded = await loadAgentConfig(await write('c.json', base(), 0o600));
    expect(loaded.username).toBe('pc-lab1-01');
    expect(loaded.password).toBe('s3cret');
    expect(loaded.pins).toEqual([Array(32).fill('AA').join(':')]);
    expect([...loaded.keyring.keys()]).toEqual([keys.kid]);
    expect(loaded.config).toMatchObject({ sysfsRoot: '/sys', stateDir: '/var/lib/campus-guard', heartbeatSeconds: 30, edge: { port: 8883 } });
  });

  it.each([0o644, 0o640, 0o604, 0o620, 0o602])('refuses a config holding a password with mode %s, in Chinese and English', async (mode) => {
    const path = await write('c.json', base(), mode);
    const e = await refusal(loadAgentConfig(path));
    expect(e.id).toBe('guard.config.too_open');
    expect(e.text['zh-CN']).toContain(`chmod 600 ${path}`);
    expect(e.text['zh-CN']).toMatch(/含有登录凭据/);
    expect(e.text.en).toMatch(/holds credentials/);
    expect(e.text.en).toContain(`0${mode.toString(8)}`);
  });

  it('accepts a readable config when the password lives in its own 0600 file, and checks that file', async () => {
    await write('password', 's3cret-from-file\n', 0o600);
    const path = await write('c.json', base({ credentials: { passwordFile: 'password' } }), 0o644);
    expect((await loadAgentConfig(path)).password).toBe('s3cret-from-file');
    await chmod(join(dir, 'password'), 0o644);
    expect((await refusal(loadAgentConfig(path))).id).toBe('guard.config.too_open');
  });

  it('does not check POSIX modes on Windows (ACLs protect the file there)', async () => {
    const loaded = await loadAgentConfig(await write('c.json', base(), 0o644), 'win32');
    expect(loaded.password).toBe('s3cret');
  });

  it('pins the certificate given as PEM', async () => {
    const pem = (await edgeCertificate()).cert;
    await write('edge.pem', pem, 0o644);
    const loaded = await loadAgentConfig(await write('c.json', base({ edge: { host: '10.0.0.2', certFile: 'edge.pem' } }), 0o600));
    expect(loaded.pins).toEqual([new X509Certificate(pem).fingerprint256]);
  });

  it.each([
    ['a typo in a key (unknown keys are refused)', base({ edge: { host: 'e', fingerprints: [FP] } }), 'guard.config.invalid'],
    ['no certificate pin at all', base({ edge: { host: 'e' } }), 'guard.config.invalid'],
    ['both password and passwordFile', base({ credentials: { password: 'a', passwordFile: 'b' } }), 'guard.config.invalid'],
    ['a bad agent id', base({ agentId: 'pc/1' }), 'guard.config.invalid'],
    ['no policy key', base({ policyKeys: [] }), 'guard.config.invalid'],
    ['a non-Ed25519 policy key', base({ policyKeys: [{ publicKeyPem: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }] }), 'guard.config.bad_key'],
    ['a broken certificate', base({ edge: { host: 'e', certPem: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' } }), 'guard.config.bad_cert'],
  ])('refuses %s', async (_name, content, id) => {
    const e = await refusal(loadAgentConfig(await write('c.json', content, 0o600)));
    expect(e.id).toBe(id);
    expect(e.text['zh-CN']).not.toBe(e.text.en);
  });

  it('refuses a file that is not JSON or not there', async () => {
    expect((await refusal(loadAgentConfig(await write('c.json', '{ agentId: ', 0o600)))).id).toBe('guard.config.not_json');
    expect((await refusal(loadAgentConfig(join(dir, 'missing.json')))).id).toBe('guard.config.unreadable');
  });
});

describe('campus-guard CLI', () => {
  it('exits 78 with both languages when the config is readable by others', async () => {
    const path = await write('c.json', base(), 0o644);
    const p = AgentProcess.start(['start', '--config', path]);
    expect(await p.exited()).toEqual({ code: 78, signal: null });
    expect(p.stderr).toContain('chmod 600');
    expect(p.stderr).toMatch(/含有登录凭据/);
    expect(p.stderr).toMatch(/holds credentials/);
  });

  it('check-config says so when the config is fine; usage errors exit 64', async () => {
    const ok = AgentProcess.start(['check-config', '--config', await write('c.json', base(), 0o600)]);
    expect((await ok.exited()).code).toBe(0);
    const bad = AgentProcess.start(['start']);
    expect((await bad.exited()).code).toBe(64);
    expect(bad.stderr).toMatch(/用法/);
  });
});
