import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificatePinError, normalizeFingerprint, PinnedTlsStream } from '../../src/edge/pinned-tls.js';
import { edgeCertificate } from '../helpers/test-edge.js';
import { waitFor } from '../helpers/wait.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function echoServer(received: Buffer[]): Promise<number> {
  const pems = await edgeCertificate();
  server = createServer({ cert: pems.cert, key: pems.private }, (s) => {
    s.on('data', (d: Buffer) => {
      received.push(d);
      s.write(d);
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

describe('normalizeFingerprint', () => {
  it('accepts colons or plain hex, any case', () => {
    const upper = Array(32).fill('AB').join(':');
    expect(normalizeFingerprint('ab'.repeat(32))).toBe(upper);
    expect(normalizeFingerprint(upper.toLowerCase())).toBe(upper);
    expect(() => normalizeFingerprint('ab:cd')).toThrow();
  });
});

describe('PinnedTlsStream', () => {
  it('talks to the edge whose certificate matches the pin', async () => {
    const received: Buffer[] = [];
    const port = await echoServer(received);
    const stream = new PinnedTlsStream({ host: '127.0.0.1', port, pins: [(await edgeCertificate()).fingerprint] });
    const echoed: Buffer[] = [];
    stream.on('data', (d: Buffer) => echoed.push(d));
    stream.write('CONNECT with password'); // written before the handshake: held back, then sent
    await waitFor(() => Buffer.concat(echoed).toString() === 'CONNECT with password', 'echo');
    stream.destroy();
  });

  it('sends nothing to an edge with another certificate, and fails with a pin error', async () => {
    const received: Buffer[] = [];
    const port = await echoServer(received);
    const mismatches: string[] = [];
    const stream = new PinnedTlsStream({ host: '127.0.0.1', port, pins: [normalizeFingerprint('00'.repeat(32))], onPinMismatch: (a) => mismatches.push(a) });
    const err = await new Promise<Error>((resolve) => {
      stream.on('error', resolve);
      stream.write('CONNECT with password');
    });
    expect(err).toBeInstanceOf(CertificatePinError);
    expect((err as CertificatePinError).code).toBe('ERR_TLS_CERT_PIN_MISMATCH');
    expect(mismatches).toEqual([(await edgeCertificate()).fingerprint]);
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(received).length).toBe(0);
  });
});
