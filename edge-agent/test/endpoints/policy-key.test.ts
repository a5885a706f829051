import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { signPolicy, verifySignedPolicy } from '@campus/protocol/usb/signing';
import { USB_POLICY_FORMAT } from '@campus/protocol/usb/policy';
import { loadOrCreatePolicyKey, PolicyKeyError } from '../../src/endpoints/policy-key.js';
import { tempDir } from '../helpers/edge.js';

const log = pino({ level: 'silent' });

describe('the edge’s policy signing key', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  const dir = () => {
    const d = tempDir('policy-key-');
    dirs.push(d);
    return d.path;
  };

  it('is created once with mode 0600 and loaded the same afterwards', () => {
    const file = join(dir(), 'endpoints', 'key.pem');
    const first = loadOrCreatePolicyKey(file, log);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o077).toBe(0);
    const again = loadOrCreatePolicyKey(file, log);
    expect(again.created).toBe(false);
    expect(again.kid).toBe(first.kid);
    expect(again.publicKeyPem).toBe(first.publicKeyPem);
    // What the reloaded key signs, the first public key verifies.
    const signed = signPolicy({ format: USB_POLICY_FORMAT, version: 1, issuedAt: 0, target: { scope: 'all' } }, again.privateKey, again.kid);
    expect(verifySignedPolicy(JSON.parse(JSON.stringify(signed)), { [first.kid]: first.publicKeyPem }).ok).toBe(true);
  });

  it('tightens a key file others can read to 0600', () => {
    const file = join(dir(), 'key.pem');
    loadOrCreatePolicyKey(file, log);
    chmodSync(file, 0o644);
    loadOrCreatePolicyKey(file, log);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not a key, or not an Ed25519 key, without overwriting it', () => {
    const garbage = join(dir(), 'garbage.pem');
    writeFileSync(garbage, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreatePolicyKey(garbage, log)).toThrow(PolicyKeyError);
    expect(() => loadOrCreatePolicyKey(garbage, log)).toThrow(/not a PEM private key/);
    const rsa = join(dir(), 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => loadOrCreatePolicyKey(rsa, log)).toThrow(/rsa, not Ed25519/);
  });
});
