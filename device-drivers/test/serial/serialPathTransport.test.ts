import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { SerialPathTransport, TransportNotOpenError, waitForState, DriverConfigError, silentLogger, type TransportStatus } from '../../src/serial/index.js';
import { PtyPair } from '@campus/testkit';
import { closePeer, collectBytes, eventually, openPeer, writePeer } from './helpers.js';

describe('SerialPathTransport over a socat pty pair', () => {
  let pair: PtyPair;
  let transport: SerialPathTransport | null = null;
  let peer: SerialPort | null = null;

  beforeEach(async () => {
    pair = await PtyPair.start();
  });
  afterEach(async () => {
    await transport?.close();
    transport = null;
    if (peer) await closePeer(peer);
    peer = null;
    await pair.dispose();
  });

  it('carries bytes both ways once open', async () => {
    transport = new SerialPathTransport({ path: pair.a, baudRate: 115200 });
    const got = collectBytes(transport);
    transport.open();
    await waitForState(transport, 'open', 5000);
    peer = await openPeer(pair.b);
    const fromDevice = collectBytes(peer);

    await writePeer(peer, 'STU:1001\r\n');
    await eventually(() => got.bytes().toString() === 'STU:1001\r\n', 5000, 'bytes from the device');

    await transport.write(Buffer.from([0x7e, 0x00, 0x08]));
    await eventually(() => fromDevice.bytes().equals(Buffer.from([0x7e, 0x00, 0x08])), 5000, 'bytes to the device');
    expect(transport.status()).toMatchObject({ state: 'open', bytesIn: 10, bytesOut: 3, reconnects: 0 });
  });

  it('reconnects by itself after unplug and replug on the same path', async () => {
    transport = new SerialPathTransport({ path: pair.a });
    const states: TransportStatus[] = [];
    transport.on('state', (s) => states.push(s));
    const got = collectBytes(transport);
    transport.open();
    await waitForState(transport, 'open', 5000);

    await pair.unplug();
    await eventually(() => states.some((s) => s.state === 'error'), 10_000, 'the loss to be reported');
    const lost = states.find((s) => s.state === 'error')!;
    expect(lost.nextAttemptAt).not.toBeNull();

    await pair.replug();
    await eventually(() => transport!.state === 'open', 10_000, 'the transport to reopen');
    expect(transport.status().reconnects).toBe(1);

    peer = await openPeer(pair.b);
    await writePeer(peer, 'AFTER\r\n');
    await eventually(() => got.bytes().toString().endsWith('AFTER\r\n'), 5000, 'bytes after replug');
    expect(states.map((s) => s.state)).toEqual(expect.arrayContaining(['connecting', 'open', 'error']));
  });

  it('notices an unplug that comes right after a read (serialport alone would spin on 0-byte reads)', async () => {
    transport = new SerialPathTransport({ path: pair.a, presenceCheckMs: 100 });
    transport.open();
    await waitForState(transport, 'open', 5000);
    peer = await openPeer(pair.b);
    const got = new Promise((resolve) => transport!.once('data', resolve));
    await writePeer(peer, 'x');
    await got;
    await pair.unplug();
    await eventually(() => transport!.state !== 'open', 10_000, 'the loss to be noticed');
    expect(transport.status().error?.code).toMatch(/ENODEV|ECLOSED|EIO|Error/);
    await pair.replug();
    await eventually(() => transport!.state === 'open', 10_000, 'reopen after replug');
  });

  it('keeps trying a path that does not exist yet and reports why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'campus-missing-'));
    try {
      transport = new SerialPathTransport({ path: join(dir, 'reader') });
      const errors: TransportStatus[] = [];
      transport.on('state', (s) => {
        if (s.state === 'error') errors.push(s);
      });
      transport.open();
      await eventually(() => errors.length >= 2, 10_000, 'two failed attempts');
      expect(errors[0]!.error?.message).toMatch(/No such file|ENOENT/i);
      expect(errors[1]!.failedAttempts).toBeGreaterThan(errors[0]!.failedAttempts);
      await expect(transport.write(Buffer.from('x'))).rejects.toBeInstanceOf(TransportNotOpenError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps delivering when a data listener throws', async () => {
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (_obj: object, msg?: string) => void logged.push(msg ?? '') };
    transport = new SerialPathTransport({ path: pair.a }, logger);
    let thrown = 0;
    transport.on('data', () => {
      thrown++;
      throw new Error('listener bug');
    });
    const got = collectBytes(transport);
    transport.open();
    await waitForState(transport, 'open', 5000);
    peer = await openPeer(pair.b);
    await writePeer(peer, 'one\r\n');
    await eventually(() => got.bytes().toString().includes('one'), 5000, 'first line');
    await writePeer(peer, 'two\r\n');
    await eventually(() => got.bytes().toString().includes('two'), 5000, 'second line');
    expect(thrown).toBeGreaterThanOrEqual(2);
    expect(logged).toContain('transport listener threw');
    expect(transport.state).toBe('open');
  });

  it('stops for good on close', async () => {
    transport = new SerialPathTransport({ path: pair.a });
    transport.open();
    await waitForState(transport, 'open', 5000);
    await transport.close();
    expect(transport.state).toBe('closed');
    await pair.unplug();
    await pair.replug();
    await new Promise((r) => setTimeout(r, 300));
    expect(transport.state).toBe('closed');
  });

  it('refuses a bad configuration in both languages', () => {
    let error: unknown;
    try {
      new SerialPathTransport({ path: pair.a, baudRate: -5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DriverConfigError);
    expect((error as DriverConfigError).text['zh-CN']).toContain('设备配置无效');
    expect((error as DriverConfigError).message).toContain('baudRate');
  });
});
