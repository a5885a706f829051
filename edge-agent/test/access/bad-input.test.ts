import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCredential } from '@campus/protocol/credentials/index';
import { tempDir } from '../helpers/edge.js';
import { FakeClock, TestIssuer, seedSchool, startAccessEdge } from './helpers.js';
import { eventsAfter, startRig, waitFor, waitOnline, type Rig } from './rig.js';
import type { StoredEvent } from '../../src/store/index.js';

const sh = (local: string) => Date.parse(`${local}+08:00`);

/**
 * Everything a reader can send that is not a valid card, on a real pty line with a real
 * Modbus relay board behind the gate: each is refused with its reason, the relay is never
 * pulsed, the reader keeps reading, the daemon keeps running.
 */
describe('bad input at a gate', () => {
  const clock = new FakeClock(sh('2026-09-07T07:10:00'));
  const issuer = new TestIssuer('K1');
  const dataDir = tempDir('campus-bad-input-');
  let rig: Rig;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  const gates = [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'board-1', in: 0, out: 1 } }];

  const start = async () => {
    // A 2 s idle timeout (default 200 ms): a half line must still be pending when the test pulls the
    // link, even on a loaded machine where killing socat takes a while.
    const readers = rig.config.readers.map((r) => ({ ...r, framing: { idleTimeoutMs: 2000 } }));
    env = await startAccessEdge({ ...rig.config, readers, gates, unidentifiedEventWindowMs: 10_000 }, { clock, issuer, dataDir: dataDir.path });
    await waitOnline(env.edge);
  };
  const restart = async () => {
    await env.cleanup();
    await start();
  };

  beforeAll(async () => {
    rig = await startRig([{ id: 'east-in', gate: 'east', direction: 'in' }]);
    await start();
    await seedSchool(env.admin);
  }, 60_000);

  afterAll(async () => {
    await env?.cleanup();
    await rig?.close();
    dataDir.remove();
  });

  const sim = () => rig.readers.get('east-in')!.sim;
  const relayUntouched = () => {
    expect(rig.board.pulses).toEqual([]);
    expect(rig.board.coils()).toEqual(new Array(8).fill(false));
  };

  async function send(bytes: Buffer | string): Promise<StoredEvent> {
    const from = env.edge.store.events.lastSeq();
    await sim().write(Buffer.from(bytes));
    return waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'a decision');
  }
  /** Unidentified refusals are folded per window: move the clock past it between cases. */
  const nextWindow = () => clock.advance(11_000);

  it('random bytes are refused as garbage', async () => {
    nextWindow();
    const e = await send(Buffer.concat([Buffer.from([0x00, 0x9f, 0xff, 0x13, 0x41]), Buffer.from('\r\n')]));
    expect(e).toMatchObject({ reason: 'reader.frame.garbage', data: { granted: false, opened: 'closed', reader: 'east-in' } });
    expect(e.data.explanation).toContain('无法识别');
    relayUntouched();
  });

  it('an overlong line is refused', async () => {
    nextWindow();
    const e = await send('A'.repeat(300) + '\r\n');
    expect(e.reason).toBe('reader.frame.overlong');
    relayUntouched();
  });

  it('a line without its suffix is refused after the line goes quiet', async () => {
    nextWindow();
    const e = await send(issuer.card('2026010001'));
    expect(e.reason).toBe('reader.frame.no_suffix');
    relayUntouched();
  });

  it('a line cut off by the link dropping is refused as truncated, and the reader reads again after replug', async () => {
    nextWindow();
    const from = env.edge.store.events.lastSeq();
    const line = rig.readers.get('east-in')!.line;
    await sim().write(Buffer.from(issuer.card('2026010001').slice(0, 40)));
    await waitFor(() => env.edge.access.hardware!.readers()[0]!.reader.status().framer.pendingBytes === 40, 'half a line read');
    await line.unplug();
    const e = await waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'a decision');
    expect(e).toMatchObject({ reason: 'reader.frame.truncated', data: { granted: false, bytes: 40 } });
    await line.replug();
    await waitOnline(env.edge);
    await waitFor(() => sim().connections === 1, 'module reconnected');
    relayUntouched();
  });

  it('truncated credentials and text that is not a campus QR are refused', async () => {
    nextWindow();
    const card = issuer.card('2026010001');
    expect((await send(card.slice(0, 60) + '\r\n')).reason).toMatch(/^credential\.(bad_length|malformed)$/);
    nextWindow();
    expect((await send('https://example.com/pay?id=1\r\n')).reason).toBe('credential.unknown_prefix');
    relayUntouched();
  });

  it('a forged signature and an unknown key id are refused as such', async () => {
    nextWindow();
    const forger = generateKeyPairSync('ed25519').privateKey;
    const forged = encodeCredential({ kind: 'card', personId: '2026010001', cardVersion: 1 }, forger, 'K1');
    const e = await send(forged + '\r\n');
    expect(e).toMatchObject({ reason: 'credential.bad_signature', severity: 'warning' });
    expect(e.data.personId).toBeNull();
    nextWindow();
    const other = encodeCredential({ kind: 'card', personId: '2026010001', cardVersion: 1 }, forger, 'K9');
    expect((await send(other + '\r\n')).reason).toBe('credential.unknown_key');
    relayUntouched();
  });

  it('an unknown person, a revoked version and the edge pass key on a card are refused', async () => {
    expect((await send(issuer.card('2099999999') + '\r\n')).reason).toBe('access.person_unknown');
    await env.admin.req('POST', '/api/access/people/2026010002/cards/revoke', { why: '挂失' });
    const revoked = await send(issuer.card('2026010002', 1) + '\r\n');
    expect(revoked).toMatchObject({ reason: 'credential.revoked', subject: '2026010002' });
    const { readFileSync } = await import('node:fs');
    const passKey = readFileSync(`${dataDir.path}/keys/edge-passes-V1.key`, 'utf8');
    const minted = encodeCredential({ kind: 'card', personId: '2026010001', cardVersion: 1 }, passKey, 'V1');
    expect((await send(minted + '\r\n')).reason).toBe('access.key_not_allowed');
    relayUntouched();
  });

  it('expired and not-yet-valid passes are refused; a one-use pass stays used after a restart', async () => {
    const pass = (from: string, until: string, passId: number) => issuer.visitor({ passId, from: sh(from), until: sh(until), oneUse: true, zones: [1] });
    expect((await send(pass('2026-09-06T08:00:00', '2026-09-06T18:00:00', 11) + '\r\n')).reason).toBe('credential.expired');
    expect((await send(pass('2026-09-08T08:00:00', '2026-09-08T18:00:00', 12) + '\r\n')).reason).toBe('credential.not_yet_valid');
    relayUntouched();
    const good = pass('2026-09-07T07:00:00', '2026-09-07T18:00:00', 13);
    expect((await send(good + '\r\n')).reason).toBe('access.granted.visitor');
    await waitFor(() => rig.board.pulses.length === 1, 'the visitor pulse');
    await restart();
    const replay = await send(good + '\r\n');
    expect(replay).toMatchObject({ reason: 'access.pass_used', data: { passId: 13, granted: false } });
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.board.pulses).toHaveLength(1);
    rig.board.pulses.splice(0);
  }, 30_000);

  it('a reader spewing garbage at full speed is folded into a few events; the reader keeps reading and the daemon keeps running', async () => {
    nextWindow();
    const from = env.edge.store.events.lastSeq();
    await sim().spewGarbage(256 * 1024, 4096);
    await waitFor(() => env.edge.access.hardware!.readers()[0]!.reader.status().framer.bytesIn >= 256 * 1024, 'all garbage read', 20_000);
    const during = eventsAfter(env.edge, from, 'access.decision');
    expect(during.length).toBeGreaterThan(0);
    expect(during.length).toBeLessThan(20);
    expect(during.every((e) => e.data.granted === false)).toBe(true);
    relayUntouched();
    // The spew ends mid-line: let the framer's idle timeout drop that tail first, or the
    // next bytes would extend it into an overlong line (under load the timer runs late).
    await waitFor(() => env.edge.access.hardware!.readers()[0]!.reader.status().framer.pendingBytes === 0, 'the spew’s last partial line dropped');
    // The next window's first refusal says how many were folded in.
    nextWindow();
    const folded = await send(Buffer.from([0x01, 0x02, 0x0d, 0x0a]));
    expect(folded.reason).toBe('reader.frame.garbage');
    expect(folded.data.suppressedBefore).toBeGreaterThan(0);
    // A real card right after: read, granted, the gate opens.
    const ok = await send('\r\n' + issuer.card('2026010001') + '\r\n');
    expect(ok).toMatchObject({ reason: 'access.granted', data: { opened: 'pulsed' } });
    await waitFor(() => rig.board.pulses.length === 1, 'the pulse for the real card');
    expect((await fetch(`${env.edge.httpUrl}/healthz`)).status).toBe(200);
  }, 60_000);
});
