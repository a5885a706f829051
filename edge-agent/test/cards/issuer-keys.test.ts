import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeCredential, verifyCredential } from '@campus/protocol/credentials/index';
import { CardToolError, initIssuerKeys, loadIssuerKey, loadKeyring } from '@campus/edge-agent/cards/index';
import { tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('keys')));
afterEach(() => cleanup());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    expect(err).toBeInstanceOf(CardToolError);
    return (err as CardToolError).code;
  }
}

describe('initIssuerKeys', () => {
  it('writes a PKCS#8 private key (0600) and an SPKI public key, in a new directory', async () => {
    const keysDir = join(dir, 'keys');
    const made = await initIssuerKeys(keysDir, { kid: 'K1' });
    expect(made.privateKeyPath).toBe(join(keysDir, 'issuer-K1.key'));
    expect(made.publicKeyPath).toBe(join(keysDir, 'issuer-K1.pub'));
    expect(statSync(made.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(made.publicKeyPath).mode & 0o022).toBe(0); // nobody else may replace it
    const pkcs8 = readFileSync(made.privateKeyPath, 'utf8');
    const spki = readFileSync(made.publicKeyPath, 'utf8');
    expect(pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(spki).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPrivateKey(pkcs8).asymmetricKeyType).toBe('ed25519');
    const raw = createPublicKey(spki).export({ format: 'jwk' }).x;
    expect(made.publicKeyRaw).toBe(raw);
  });

  it('refuses to overwrite an existing key or public key', async () => {
    await initIssuerKeys(dir, { kid: 'K1' });
    const before = readFileSync(join(dir, 'issuer-K1.key'), 'utf8');
    expect(await codeOf(initIssuerKeys(dir, { kid: 'K1' }))).toBe('cards.keys.exists');
    expect(readFileSync(join(dir, 'issuer-K1.key'), 'utf8')).toBe(before);

    writeFileSync(join(dir, 'issuer-K2.pub'), 'someone else’s key');
    expect(await codeOf(initIssuerKeys(dir, { kid: 'K2' }))).toBe('cards.keys.exists');
    expect(() => statSync(join(dir, 'issuer-K2.key'))).toThrow();
  });

  it('refuses key ids the credential header cannot carry', async () => {
    for (const kid of ['k1', 'K', 'K12', '../K1', '']) {
      expect(await codeOf(initIssuerKeys(dir, { kid }))).toBe('cards.keys.bad_kid');
    }
  });
});

describe('loadKeyring / loadIssuerKey', () => {
  it('signs with the loaded private key and verifies with the keyring of all .pub files', async () => {
    await initIssuerKeys(dir, { kid: 'K1' });
    await initIssuerKeys(dir, { kid: 'K2' });
    const keyring = await loadKeyring(dir);
    expect(keyring.kids).toEqual(['K1', 'K2']);
    for (const kid of ['K1', 'K2']) {
      const { privateKey, kid: loadedKid } = await loadIssuerKey(dir, kid);
      expect(loadedKid).toBe(kid);
      const text = encodeCredential({ kind: 'card', personId: '2023010123', cardVersion: 1 }, privateKey, kid);
      expect(verifyCredential(text, keyring, Date.now()).ok).toBe(true);
    }
    const onlyK2 = await loadKeyring([join(dir, 'issuer-K2.pub')]);
    expect(onlyK2.kids).toEqual(['K2']);
  });

  it('never loads private keys into the keyring', async () => {
    await initIssuerKeys(dir, { kid: 'K1' });
    const keyring = await loadKeyring(dir);
    expect(keyring.get('K1')?.type).toBe('public');
  });

  it('finds the single key in a directory, or asks for a kid when there are several', async () => {
    await initIssuerKeys(dir, { kid: 'K1' });
    expect((await loadIssuerKey(dir)).kid).toBe('K1');
    expect((await loadIssuerKey(join(dir, 'issuer-K1.key'))).kid).toBe('K1');
    await initIssuerKeys(dir, { kid: 'K2' });
    expect(await codeOf(loadIssuerKey(dir))).toBe('cards.keys.none_found');
    expect(await codeOf(loadIssuerKey(join(dir, 'issuer-K1.key'), 'K2'))).toBe('cards.keys.bad_file_name');
  });

  it('refuses a private key readable by others, with the fix in the message', async () => {
    const { privateKeyPath } = await initIssuerKeys(dir, { kid: 'K1' });
    chmodSync(privateKeyPath, 0o644);
    try {
      await loadIssuerKey(privateKeyPath);
      expect.unreachable();
    } catch (err) {
      expect((err as CardToolError).code).toBe('cards.keys.private_too_open');
      expect((err as CardToolError).texts['zh-CN']).toContain('chmod 600');
    }
  });

  it('refuses a private key that does not match its public key', async () => {
    await initIssuerKeys(dir, { kid: 'K1' });
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    writeFileSync(join(dir, 'issuer-K1.pub'), other);
    expect(await codeOf(loadIssuerKey(dir, 'K1'))).toBe('cards.keys.mismatch');
  });

  it('reports an empty directory, a wrongly named file and a file that is not a key', async () => {
    expect(await codeOf(loadKeyring(dir))).toBe('cards.keys.none_found');
    writeFileSync(join(dir, 'school.pub'), 'x');
    expect(await codeOf(loadKeyring([join(dir, 'school.pub')]))).toBe('cards.keys.bad_file_name');
    writeFileSync(join(dir, 'issuer-K9.pub'), 'not a pem');
    expect(await codeOf(loadKeyring(dir))).toBe('cards.keys.unreadable');
    expect(await codeOf(loadKeyring([join(dir, 'issuer-K8.pub')]))).toBe('cards.keys.unreadable');
  });
});
