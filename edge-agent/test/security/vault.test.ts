import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataVault, VaultError } from '../../src/security/vault.js';
import { Store, StoreOpenError } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';

describe('data vault (encryption at rest for minors’ data)', () => {
  const dirs: Array<{ path: string; remove(): void }> = [];
  const dir = () => {
    const d = tempDir('campus-vault-');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('seals text and files so they read back, and never the same twice', () => {
    const v = DataVault.withKey(randomBytes(32));
    const a = v.seal('13800001234');
    expect(a).toMatch(/^ev1:/);
    expect(a).not.toContain('13800001234');
    expect(v.seal('13800001234')).not.toBe(a);
    expect(v.unseal(a)).toBe('13800001234');
    const photo = randomBytes(2048);
    const sealed = v.sealFile(photo);
    expect(DataVault.isSealedFile(sealed)).toBe(true);
    expect(sealed.includes(photo.subarray(0, 64))).toBe(false);
    expect(v.unsealFile(sealed).equals(photo)).toBe(true);
    // Written before encryption existed: read as it is (and sealed at the next start).
    expect(v.unseal('13800001234')).toBe('13800001234');
    expect(v.unsealFile(photo).equals(photo)).toBe(true);
  });

  it('refuses a tampered value and another key', () => {
    const v = DataVault.withKey(randomBytes(32));
    const sealed = v.seal('家长电话');
    const raw = Buffer.from(sealed.slice(4), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => v.unseal('ev1:' + raw.toString('base64'))).toThrow(VaultError);
    expect(() => DataVault.withKey(randomBytes(32)).unseal(sealed)).toThrow(/does not match/);
  });

  it('creates its key file once, readable by the owner only; a configured key file must exist', () => {
    const d = dir();
    const v1 = DataVault.open({ dataDir: d });
    const file = DataVault.defaultKeyFile(d);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(DataVault.open({ dataDir: d }).unseal(v1.seal('x'))).toBe('x');
    expect(() => DataVault.open({ dataDir: d, keyFile: join(d, 'elsewhere.key') })).toThrow(/does not exist/);
    expect(existsSync(join(d, 'elsewhere.key'))).toBe(false);
    writeFileSync(join(d, 'bad.key'), 'not a key');
    expect(() => DataVault.open({ dataDir: d, keyFile: 'bad.key' })).toThrow(/256-bit/);
  });

  it('a database refuses another data key before anything is written, and says what to restore', () => {
    const d = dir();
    const open = () => Store.open({ migrations: ALL_MIGRATIONS, dataDir: d, file: 'edge.db', backupDir: 'backups', synchronous: 'normal', site: 's', clock: new TrustedClock({ mode: 'always' }) });
    const s = open();
    s.setSetting('probe', s.vault.seal('ok'));
    s.db.close();
    const before = readFileSync(join(d, 'edge.db'));
    writeFileSync(DataVault.defaultKeyFile(d), randomBytes(32).toString('hex'));
    let err: unknown;
    try {
      open();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as StoreOpenError).code).toBe('data_key');
    expect((err as Error).message).toMatch(/数据密钥与数据库不匹配[\s\S]*restore the original data key file/);
    expect(readFileSync(join(d, 'edge.db')).equals(before)).toBe(true);
  });
});
