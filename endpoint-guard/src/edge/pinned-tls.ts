import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';

/**
 * TLS to the edge with the edge's certificate pinned. The edge box uses a self-signed
 * certificate (no CA on a school network), so instead of a chain check the agent
 * compares the certificate's SHA-256 fingerprint with the configured pins.
 *
 * The check happens before a single byte of application data leaves: writes (the
 * MQTT CONNECT packet, which carries the password) are held back until the pin
 * matched, so an impostor edge never sees the credentials.
 */
export class CertificatePinError extends Error {
  override name = 'CertificatePinError';
  readonly code = 'ERR_TLS_CERT_PIN_MISMATCH';
  constructor(readonly actual: string) {
    super(`edge certificate ${actual} matches no pinned fingerprint`);
  }
}

/** "ab:cd:..." or 64 hex digits -> "AB:CD:..." (the form node:tls reports). */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error(`not a SHA-256 fingerprint: ${fp}`);
  return hex.match(/../g)!.join(':');
}

export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export interface PinnedTlsOptions {
  host: string;
  port: number;
  servername?: string;
  pins: readonly string[];
  onPinMismatch?: (actual: string) => void;
}

export class PinnedTlsStream extends Duplex {
  private readonly tls: TLSSocket;
  private verified = false;
  private held: Array<{ chunk: Buffer; cb: (err?: Error | null) => void }> = [];

  constructor(opts: PinnedTlsOptions) {
    super();
    const servername = opts.servername ?? (isIP(opts.host) ? undefined : opts.host);
    this.tls = connect({ host: opts.host, port: opts.port, ...(servername ? { servername } : {}), rejectUnauthorized: false, minVersion: 'TLSv1.2', ca: [] });
    this.tls.once('secureConnect', () => {
      const actual = this.tls.getPeerCertificate()?.fingerprint256 ?? '';
      if (!opts.pins.includes(actual)) {
        opts.onPinMismatch?.(actual);
        this.destroy(new CertificatePinError(actual));
        return;
      }
      this.verified = true;
      const held = this.held;
      this.held = [];
      for (const h of held) this.tls.write(h.chunk, h.cb);
    });
    this.tls.on('data', (d: Buffer) => {
      if (!this.push(d)) this.tls.pause();
    });
    this.tls.on('end', () => this.push(null));
    this.tls.on('error', (err) => this.destroy(err));
    this.tls.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.tls.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.verified) this.tls.write(chunk, cb);
    else this.held.push({ chunk, cb });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.tls.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const held = this.held;
    this.held = [];
    for (const h of held) h.cb(err ?? new Error('connection closed'));
    this.tls.destroy();
    cb(err);
  }
}
