import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePolicyKeyPair, policyKeyring, signPolicy } from '@campus/protocol/usb/signing';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { writeFileAtomic } from '../../src/policy/atomic-file.js';
import { silentLogger } from '../../src/log/logger.js';
import { makePolicy } from '../helpers/policies.js';

const edge = generatePolicyKeyPair();
const ring = policyKeyring([{ publicKey: edge.publicKey }]);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PolicyStore', () => {
  it('saves the signed policy atomically (0600, no temp files) and loads it back verified', async () => {
    const store = new PolicyStore(join(dir, 'state'), silentLogger);
    expect(await store.load(ring)).toBeNull();
    const signed = signPolicy(makePolicy({ version: 4, rules: [{ id: 'p', action: 'allow', match: { interfaceClass: 7 } }] }), edge.privateKey, edge.kid);
    await store.save(signed);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'state'))).toEqual(['policy.json']);
    const loaded = await store.load(ring);
    expect(loaded?.policy).toEqual(signed.policy);
    expect(loaded?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sets aside a policy edited on the PC and falls back to the built-in one', async () => {
    const store = new PolicyStore(dir, silentLogger);
    await store.save(signPolicy(makePolicy({ version: 4 }), edge.privateKey, edge.kid));
    const tampered = JSON.parse(await readFile(store.path, 'utf8')) as { policy: { killSwitch: boolean } };
    tampered.policy.killSwitch = true;
    await writeFile(store.path, JSON.stringify(tampered));
    expect(await store.load(ring)).toBeNull();
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('policy.json.rejected-'))).toBe(true);
    expect(files).not.toContain('policy.json');
  });

  it('refuses a saved policy signed with a key no longer trusted, and garbage', async () => {
    const store = new PolicyStore(dir, silentLogger);
    const old = generatePolicyKeyPair();
    await store.save(signPolicy(makePolicy({ version: 2 }), old.privateKey, old.kid));
    expect(await store.load(ring)).toBeNull();
    await writeFile(store.path, '{"half a file');
    expect(await store.load(ring)).toBeNull();
  });

  it('replaces, never truncates: the old content survives a failed write', async () => {
    const path = join(dir, 'f.json');
    await writeFileAtomic(path, 'old');
    // A write that cannot complete (the directory is gone for the temp file) leaves the old file.
    await expect(writeFileAtomic(join(dir, 'missing', 'f.json'), 'new')).rejects.toThrow();
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
