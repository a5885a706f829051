import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A sealed value: prefix, then base64 of iv (12) | tag (16) | ciphertext (the edge's vault format, `ev1:`). */
const PREFIX = 'cv1:';
const IV = 12;
const TAG = 16;

/**
 * Encryption at rest for the cloud's most sensitive fields (children's medical notes):
 * AES-256-GCM under a data key kept in a file of its own (mode 0600), not in the
 * database, so a copied database or dump does not give the notes away — the same
 * scheme as the edge's DataVault (edge-agent/src/security/vault.ts). The key file is
 * opened on first use: a cloud that never stores a note never creates one. A key file
 * the configuration names must exist (a new key there would make sealed notes unreadable).
 */
export class CloudSeal {
  private key: Buffer | null;

  constructor(private readonly source: { key: Buffer } | { file: string; configured: boolean }) {
    this.key = 'key' in source ? Buffer.from(source.key) : null;
    if (this.key && this.key.length !== 32) throw new Error('a data key has 32 bytes');
  }

  private dataKey(): Buffer {
    if (this.key) return this.key;
    const s = this.source as { file: string; configured: boolean };
    if (!existsSync(s.file)) {
      if (s.configured) throw new Error(`数据密钥文件不存在 / the data key file does not exist: ${s.file} (dataKeyFile); restore it from your backup`);
      mkdirSync(dirname(s.file), { recursive: true, mode: 0o700 });
      writeFileSync(s.file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const text = readFileSync(s.file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`数据密钥文件格式不对 / the data key file is not a 256-bit hex key: ${s.file}`);
    try {
      chmodSync(s.file, 0o600);
    } catch {
      /* a read-only mount: the mode is the installer's business */
    }
    this.key = Buffer.from(text, 'hex');
    return this.key;
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(text: string): string {
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', this.dataKey(), iv);
    const body = Buffer.concat([c.update(Buffer.from(text, 'utf8')), c.final()]);
    return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  unseal(value: string): string {
    if (!CloudSeal.isSealed(value)) throw new Error('not a sealed value');
    const b = Buffer.from(value.slice(PREFIX.length), 'base64');
    if (b.length < IV + TAG) throw new Error('sealed value too short');
    const d = createDecipheriv('aes-256-gcm', this.dataKey(), b.subarray(0, IV));
    d.setAuthTag(b.subarray(IV, IV + TAG));
    return Buffer.concat([d.update(b.subarray(IV + TAG)), d.final()]).toString('utf8');
  }
}
