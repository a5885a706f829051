import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, hostname } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the certificate (colon-separated hex), for agents to pin. */
  fingerprint256: string;
  created: boolean;
}

/**
 * The broker's TLS certificate: the school's own when configured, otherwise a
 * self-signed one created once in dataDir/tls (key mode 0600) and kept, so PC
 * agents can pin its fingerprint.
 */
export async function loadOrCreateTls(opts: { dataDir: string; certFile?: string; keyFile?: string; siteName: string }): Promise<TlsMaterial> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('mqtt.tls.certFile 与 mqtt.tls.keyFile 必须同时配置 / mqtt.tls.certFile and mqtt.tls.keyFile must be set together');
    const cert = readFileSync(opts.certFile, 'utf8');
    const key = readFileSync(opts.keyFile, 'utf8');
    return { cert, key, fingerprint256: fingerprint(cert), created: false };
  }
  const dir = join(opts.dataDir, 'tls');
  const certPath = join(dir, 'edge-cert.pem');
  const keyPath = join(dir, 'edge-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    return { cert, key: readFileSync(keyPath, 'utf8'), fingerprint256: fingerprint(cert), created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 2 as const, value: hostname() },
    ...Object.values(networkInterfaces())
      .flat()
      .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4')
      .map((a) => ({ type: 7 as const, ip: a.address })),
  ];
  const now = new Date();
  // Loaded only when a certificate must be made: the X.509 libraries cost ~20 MB of RSS.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: `campus-edge ${opts.siteName}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 24 * 3600_000),
    notAfterDate: new Date(now.getTime() + 10 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, fingerprint256: fingerprint(pems.cert), created: true };
}

export function fingerprint(certPem: string): string {
  try {
    return new X509Certificate(certPem).fingerprint256;
  } catch {
    const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
  }
}
