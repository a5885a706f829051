import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudOptionsFrom, loadCloudConfig } from '../../src/server/config.js';

describe('campus-cloud configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'campus-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to PGlite in ./data/cloud on port 8780', () => {
    const cfg = loadCloudConfig(undefined, {});
    expect(cfg).toMatchObject({ dataDir: './data/cloud', port: 8780, demo: false });
    expect(cloudOptionsFrom(cfg)).toMatchObject({ dataDir: './data/cloud', port: 8780, staffAuth: { maxFailures: 5, lockoutMs: 15 * 60_000, addressMaxFailures: 50, sessionTtlMs: 12 * 3600_000 } });
  });

  it('reads the staff sign-in limits and refuses unsafe ones', () => {
    const file = join(dir, 'staff.json');
    writeFileSync(file, JSON.stringify({ staffAuth: { maxFailures: 3, lockoutMinutes: 30, sessionHours: 8 } }));
    expect(cloudOptionsFrom(loadCloudConfig(file, {})).staffAuth).toEqual({ maxFailures: 3, lockoutMs: 30 * 60_000, addressMaxFailures: 50, sessionTtlMs: 8 * 3600_000 });
    writeFileSync(file, JSON.stringify({ staffAuth: { maxFailures: 1000 } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/maxFailures/);
  });

  it('starts the JT/T 808 server only when configured; JT808_PORT wins; bad limits are refused', () => {
    expect(cloudOptionsFrom(loadCloudConfig(undefined, {})).jt808).toBeUndefined();
    const file = join(dir, 'jt808.json');
    writeFileSync(file, JSON.stringify({ jt808: { maxFramesPerSecond: 50 } }));
    expect(cloudOptionsFrom(loadCloudConfig(file, {})).jt808).toEqual({ port: 8808, maxFramesPerSecond: 50 });
    expect(cloudOptionsFrom(loadCloudConfig(file, { JT808_PORT: '7611' })).jt808).toEqual({ port: 7611, maxFramesPerSecond: 50 });
    expect(cloudOptionsFrom(loadCloudConfig(undefined, { JT808_PORT: '7612' })).jt808).toEqual({ port: 7612, maxFramesPerSecond: 100 });
    expect(cloudOptionsFrom(loadCloudConfig(undefined, {})).busAlarms).toEqual({ stepMs: 120_000 });
    writeFileSync(file, JSON.stringify({ busAlarms: { stepSeconds: 5 } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/stepSeconds/);
    writeFileSync(file, JSON.stringify({ jt808: { maxFramesPerSecond: 0 } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/maxFramesPerSecond/);
  });

  it('reads the card issuer key for print sheets from a file (config or CAMPUS_CLOUD_CARD_KEY_FILE), its id from the name', () => {
    expect(cloudOptionsFrom(loadCloudConfig(undefined, {})).cards).toBeUndefined();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const key = join(dir, 'issuer-C3.key');
    writeFileSync(key, pem);
    expect(cloudOptionsFrom(loadCloudConfig(undefined, { CAMPUS_CLOUD_CARD_KEY_FILE: key })).cards).toEqual({ kid: 'C3', privateKey: pem });
    const file = join(dir, 'cards.json');
    writeFileSync(file, JSON.stringify({ cards: { issuerKeyFile: key, kid: 'C4', fontPath: '/fonts/x.ttc' } }));
    expect(cloudOptionsFrom(loadCloudConfig(file, {})).cards).toEqual({ kid: 'C4', privateKey: pem, fontPath: '/fonts/x.ttc' });
    // A file named otherwise needs its kid; a file without a private key is refused at start.
    const odd = join(dir, 'card.pem');
    writeFileSync(odd, pem);
    expect(() => cloudOptionsFrom(loadCloudConfig(undefined, { CAMPUS_CLOUD_CARD_KEY_FILE: odd }))).toThrow(/issuer-<kid>\.key/);
    const pub = join(dir, 'issuer-C5.key');
    writeFileSync(pub, 'not a key');
    expect(() => cloudOptionsFrom(loadCloudConfig(undefined, { CAMPUS_CLOUD_CARD_KEY_FILE: pub }))).toThrow(/no PEM private key/);
    writeFileSync(file, JSON.stringify({ cards: { issuerKeyFile: key, kid: 'c1' } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/kid/);
  });

  it('reads a JSON file and lets the environment win', () => {
    const file = join(dir, 'cloud.json');
    writeFileSync(file, JSON.stringify({ port: 9000, channels: { sms: { url: 'https://sms.example/send', token: 't' } } }));
    const cfg = loadCloudConfig(file, { DATABASE_URL: 'postgres://u:p@127.0.0.1/db', PORT: '9100', CAMPUS_CLOUD_DEMO: '1' });
    expect(cfg).toMatchObject({ databaseUrl: 'postgres://u:p@127.0.0.1/db', port: 9100, demo: true, channels: { sms: { sign: '智慧校园' } } });
    const opts = cloudOptionsFrom(cfg);
    expect(opts.databaseUrl).toBe('postgres://u:p@127.0.0.1/db');
    expect(opts.dataDir).toBeUndefined();
  });

  it('takes the guardian notice rules, with quiet hours 22:00–06:00 by default and per-school overrides', () => {
    expect(loadCloudConfig(undefined, {}).notices).toMatchObject({ foldWindowMinutes: 30, quietHours: { start: '22:00', end: '06:00' }, schools: {} });
    const file = join(dir, 'notices.json');
    writeFileSync(file, JSON.stringify({ notices: { foldWindowMinutes: 10, schools: { sch_1: { quietHours: null } } } }));
    const cfg = loadCloudConfig(file, {});
    expect(cloudOptionsFrom(cfg).notices).toMatchObject({ foldWindowMinutes: 10, quietHours: { start: '22:00', end: '06:00' }, schools: { sch_1: { quietHours: null } } });
    writeFileSync(file, JSON.stringify({ notices: { quietHours: { start: '22:00', end: '6:00' } } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/HH:MM/);
    writeFileSync(file, JSON.stringify({ notices: { foldWindow: 10 } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/foldWindow/);
  });

  it('refuses a bad configuration with the field named', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', channels: { sms: { url: 'not a url' } } }));
    expect(() => loadCloudConfig(file, {})).toThrow(/port|url/);
  });

  it('refuses an unknown key in every object of the file (a typo is never silently dropped)', () => {
    const file = join(dir, 'typo.json');
    const cases: Array<[object, string]> = [
      [{ prot: 9000 }, 'prot'],
      [{ tls: { certFile: 'c', keyFile: 'k', keyfile: 'k' } }, 'keyfile'],
      [{ channels: { sms: { url: 'https://sms.example/send' }, wechatt: {} } }, 'wechatt'],
      [{ channels: { sms: { url: 'https://sms.example/send', singn: 'x' } } }, 'singn'],
      [{ channels: { wechat: { url: 'https://w.example/', templateId: 't', pages: 'x' } } }, 'pages'],
      [{ channels: { webhook: { url: 'https://h.example/', secrte: '12345678' } } }, 'secrte'],
    ];
    for (const [content, key] of cases) {
      writeFileSync(file, JSON.stringify(content));
      expect(() => loadCloudConfig(file, {}), key).toThrow(new RegExp(`Unrecognized key.*${key}`));
    }
  });
});
