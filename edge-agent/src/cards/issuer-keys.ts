import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KID_RE, Keyring, publicKeyToRaw, toPrivateKey, toPublicKey } from '@campus/protocol/credentials/index';
import { CardToolError } from './errors.js';

/**
 * The school's issuer key pair on disk: issuer-<kid>.key (PKCS#8 PEM, 0600) stays on the
 * issuing side; issuer-<kid>.pub (SPKI PEM) goes to every edge and reader. Edges load only
 * .pub files, so a stolen edge box cannot mint cards.
 */
const PUB_RE = /^issuer-([0-9A-Z]{2})\.pub$/;
const KEY_RE = /^issuer-([0-9A-Z]{2})\.key$/;

export function issuerKeyFileNames(kid: string): { privateKey: string; publicKey: string } {
  return { privateKey: `issuer-${kid}.key`, publicKey: `issuer-${kid}.pub` };
}

export interface IssuerKeyFiles {
  kid: string;
  privateKeyPath: string;
  publicKeyPath: string;
  /** The raw public key (base64url, 43 characters): the short form for reader and edge config. */
  publicKeyRaw: string;
}

function assertKid(kid: string): void {
  if (!KID_RE.test(kid)) throw new CardToolError('cards.keys.bad_kid', { kid });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates a new issuer key pair in `dir`. Refuses to overwrite either file. */
export async function initIssuerKeys(dir: string, opts: { kid: string }): Promise<IssuerKeyFiles> {
  const { kid } = opts;
  assertKid(kid);
  const names = issuerKeyFileNames(kid);
  const privateKeyPath = join(dir, names.privateKey);
  const publicKeyPath = join(dir, names.publicKey);
  for (const path of [privateKeyPath, publicKeyPath]) {
    if (await exists(path)) throw new CardToolError('cards.keys.exists', { path });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const spki = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  try {
    // 'wx' fails if another run created the file meanwhile: never overwrite a key.
    await writeFile(privateKeyPath, pkcs8, { mode: 0o600, flag: 'wx' });
    await writeFile(publicKeyPath, spki, { mode: 0o644, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CardToolError('cards.keys.exists', { path: (err as NodeJS.ErrnoException).path ?? dir });
    }
    throw err;
  }
  return { kid, privateKeyPath, publicKeyPath, publicKeyRaw: publicKeyToRaw(publicKey) };
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CardToolError('cards.keys.unreadable', { path, detail: (err as Error).message });
  }
}

function kidOf(path: string, re: RegExp): string {
  const m = re.exec(basename(path));
  if (!m) throw new CardToolError('cards.keys.bad_file_name', { path });
  return m[1]!;
}

/**
 * Loads public keys for verification: every issuer-<kid>.pub in a directory, or the given
 * .pub files. Throws CardToolError when none is found or a file is not an Ed25519 key.
 */
export async function loadKeyring(source: string | readonly string[]): Promise<Keyring> {
  let files: string[];
  let where: string;
  if (typeof source === 'string' && (await stat(source).catch(() => undefined))?.isDirectory()) {
    files = (await readdir(source)).filter((n) => PUB_RE.test(n)).sort().map((n) => join(source, n));
    where = source;
  } else {
    files = typeof source === 'string' ? [source] : [...source];
    where = files.join(', ') || '(none)';
  }
  if (files.length === 0) throw new CardToolError('cards.keys.none_found', { where });
  const keyring = new Keyring();
  for (const path of files) {
    const kid = kidOf(path, PUB_RE);
    const pem = await readKeyFile(path);
    try {
      keyring.add(kid, toPublicKey(kid, pem));
    } catch (err) {
      throw new CardToolError('cards.keys.unreadable', { path, detail: (err as Error).message });
    }
  }
  return keyring;
}

export interface IssuerKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * Loads the private key for issuing: a path to issuer-<kid>.key, or a directory plus kid.
 * Refuses a key file others can read, and a key that does not match its .pub beside it.
 */
export async function loadIssuerKey(source: string, kid?: string): Promise<IssuerKey> {
  let path = source;
  if ((await stat(source).catch(() => undefined))?.isDirectory()) {
    if (kid === undefined) {
      const keys = (await readdir(source)).filter((n) => KEY_RE.test(n)).sort();
      if (keys.length !== 1) throw new CardToolError('cards.keys.none_found', { where: source });
      path = join(source, keys[0]!);
    } else {
      assertKid(kid);
      path = join(source, issuerKeyFileNames(kid).privateKey);
    }
  }
  const fileKid = kidOf(path, KEY_RE);
  if (kid !== undefined && kid !== fileKid) throw new CardToolError('cards.keys.bad_file_name', { path });
  const info = await stat(path).catch((err: Error) => {
    throw new CardToolError('cards.keys.unreadable', { path, detail: err.message });
  });
  if ((info.mode & 0o077) !== 0) {
    throw new CardToolError('cards.keys.private_too_open', { path, mode: (info.mode & 0o777).toString(8).padStart(4, '0') });
  }
  let privateKey: KeyObject;
  try {
    privateKey = toPrivateKey(fileKid, await readKeyFile(path));
  } catch (err) {
    if (err instanceof CardToolError) throw err;
    throw new CardToolError('cards.keys.unreadable', { path, detail: (err as Error).message });
  }
  const pubPath = path.replace(/\.key$/, '.pub');
  if (await exists(pubPath)) {
    const pub = toPublicKey(fileKid, await readKeyFile(pubPath));
    if (publicKeyToRaw(pub) !== publicKeyToRaw(createPublicKey(privateKey))) {
      throw new CardToolError('cards.keys.mismatch', { path });
    }
  }
  return { kid: fileKid, privateKey };
}
