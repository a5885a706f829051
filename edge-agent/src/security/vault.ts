import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** A sealed text value: prefix, then base64 of iv (12) | tag (16) | ciphertext. */
const TEXT_PREFIX = 'ev1:';
/** A sealed file: magic, iv (12), tag (16), ciphertext. */
const FILE_MAGIC = Buffer.from('CEV1');
const IV = 12;
const TAG = 16;

export class VaultError extends Error {
  override readonly name = 'VaultError';
}

/**
 * Encryption at rest for minors' sensitive data (phone numbers, photos, the cloud's
 * records of people): AES-256-GCM with one data key per edge. The key lives in its own
 * file (created on first start, mode 0600), not in the database, so a copied database
 * or backup does not give the data away; a school can keep the key on another disk
 * (`privacy.dataKeyFile`). Values written before encryption existed are read as they
 * are and sealed at the next start (see `isSealed`).
 */
export class DataVault {
  private constructor(private readonly key: Buffer) {}

  /** The default key file: beside the data, in a folder of its own. */
  static defaultKeyFile(dataDir: string): string {
    return join(dataDir, 'vault', 'data.key');
  }

  /**
   * Opens the key file, creating it when it is the default one and missing. A key file
   * the configuration names must exist: making a new key there would leave the data
   * encrypted under the lost one unreadable, silently.
   */
  static open(opts: { dataDir: string; keyFile?: string }): DataVault {
    const configured = opts.keyFile !== undefined;
    const file = configured ? (isAbsolute(opts.keyFile!) ? opts.keyFile! : join(opts.dataDir, opts.keyFile!)) : DataVault.defaultKeyFile(opts.dataDir);
    if (!existsSync(file)) {
      if (configured) {
        throw new VaultError(`数据密钥文件不存在 / the data key file does not exist: ${file} (privacy.dataKeyFile). 请从备份恢复，或删除该配置项以在数据目录中新建 / restore it from your backup, or remove the setting to create one in the data folder`);
      }
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new VaultError(`数据密钥文件格式不对 / the data key file is not a 256-bit hex key: ${file}`);
    try {
      chmodSync(file, 0o600);
    } catch {
      /* a read-only mount: the mode is the installer's business */
    }
    return new DataVault(Buffer.from(text, 'hex'));
  }

  /** For tests and tools that need a vault but no key file. */
  static withKey(key: Buffer): DataVault {
    if (key.length !== 32) throw new VaultError('a data key has 32 bytes');
    return new DataVault(Buffer.from(key));
  }

  static isSealed(value: string): boolean {
    return value.startsWith(TEXT_PREFIX);
  }

  static isSealedFile(bytes: Buffer): boolean {
    return bytes.length >= FILE_MAGIC.length + IV + TAG && timingSafeEqual(bytes.subarray(0, FILE_MAGIC.length), FILE_MAGIC);
  }

  /** Whether a file on disk is sealed, from its first bytes only (a start-up check over every photo must not read them all). */
  static isSealedFileAt(path: string): boolean {
    const head = Buffer.alloc(FILE_MAGIC.length);
    const fd = openSync(path, 'r');
    try {
      return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(FILE_MAGIC);
    } finally {
      closeSync(fd);
    }
  }

  seal(text: string): string {
    return TEXT_PREFIX + this.encrypt(Buffer.from(text, 'utf8')).toString('base64');
  }

  /** Sealed text back to plain; text that was never sealed comes back as it is. */
  unseal(value: string): string {
    if (!DataVault.isSealed(value)) return value;
    return this.decrypt(Buffer.from(value.slice(TEXT_PREFIX.length), 'base64')).toString('utf8');
  }

  sealNullable(text: string | null): string | null {
    return text === null ? null : this.seal(text);
  }

  unsealNullable(value: string | null): string | null {
    return value === null ? null : this.unseal(value);
  }

  sealFile(bytes: Buffer): Buffer {
    return Buffer.concat([FILE_MAGIC, this.encrypt(bytes)]);
  }

  unsealFile(bytes: Buffer): Buffer {
    return DataVault.isSealedFile(bytes) ? this.decrypt(bytes.subarray(FILE_MAGIC.length)) : bytes;
  }

  private encrypt(plain: Buffer): Buffer {
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  private decrypt(sealed: Buffer): Buffer {
    if (sealed.length < IV + TAG) throw new VaultError('sealed value too short');
    const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV));
    d.setAuthTag(sealed.subarray(IV, IV + TAG));
    try {
      return Buffer.concat([d.update(sealed.subarray(IV + TAG)), d.final()]);
    } catch {
      throw new VaultError('数据密钥与数据不匹配 / the data key does not match the stored data (was the key file replaced?)');
    }
  }
}
