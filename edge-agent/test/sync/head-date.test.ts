import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { headDate } from '../../src/sync/module.js';

/** The cloud's Date header is how an edge without a battery-backed clock learns the time. */
describe('reading the cloud time', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const listen = async (s: Server) => {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as AddressInfo).port;
  };
  const cloudDate = 'Tue, 01 Sep 2026 00:00:00 GMT';

  it('takes the Date header of a HEAD request', async () => {
    let method = '';
    const port = await listen(
      createHttpServer((req, res) => {
        method = req.method ?? '';
        res.setHeader('date', cloudDate);
        res.end();
      }),
    );
    expect(await headDate(`http://127.0.0.1:${port}/`)).toBe(cloudDate);
    expect(method).toBe('HEAD');
  });

  it('trusts the school’s own CA for an https cloud, and refuses a certificate it does not know', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const port = await listen(
      createHttpsServer({ cert: pems.cert, key: pems.private }, (_req, res) => {
        res.setHeader('date', cloudDate);
        res.end();
      }),
    );
    expect(await headDate(`https://127.0.0.1:${port}/`, pems.cert)).toBe(cloudDate);
    await expect(headDate(`https://127.0.0.1:${port}/`)).rejects.toThrow(/self-signed|certificate/i);
  });

  it('gives up on a cloud that does not answer', async () => {
    const port = await listen(createHttpServer(() => undefined));
    await expect(headDate(`http://127.0.0.1:${port}/`, undefined, 200)).rejects.toThrow(/timeout/);
  });
});
