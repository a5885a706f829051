import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../src/core/log.js';

describe('logging', () => {
  it('redacts secrets in structured fields, at any depth the daemon uses', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination: sink as never }).child({ mod: 'test' });
    log.info({ password: 'p@ss-1', token: 'tok-2', user: { password: 'p@ss-3', name: 'wang' }, req: { headers: { cookie: 'campus_sid=abc', authorization: 'Bearer x' } }, csrfToken: 'c-4' }, 'sign-in');
    const out = lines.join('');
    for (const secret of ['p@ss-1', 'tok-2', 'p@ss-3', 'campus_sid=abc', 'Bearer x', 'c-4']) expect(out).not.toContain(secret);
    expect(out).toContain('[HIDDEN]');
    expect(out).toContain('wang');
    expect(JSON.parse(lines[0]!).mod).toBe('test');
  });

  it('names a nested module once, as a path (access.gates), keeping the other bindings and the level', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const root = createLogger({ level: 'info', destination: sink as never });
    const access = root.child({ mod: 'access' });
    const gates = access.child({ mod: 'gates' });
    gates.info({ reader: 'east-in' }, 'reader up');
    gates.child({ part: 'relay' }).child({ mod: 'board' }).warn({ token: 't-1' }, 'relay slow');
    root.child({ mod: 'sync', part: 'projections' }).child({ mod: 'people' }).info('applied');
    const quiet = root.child({ mod: 'energy' }, { level: 'warn' }).child({ mod: 'modbus' });
    quiet.info('not written');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.match(/"mod":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ svc: 'campus-edge', mod: 'access.gates', reader: 'east-in' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ mod: 'access.gates.board', part: 'relay', token: '[HIDDEN]' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ mod: 'sync.people', part: 'projections' });
    expect(lines[0]!.match(/"svc":/g)).toHaveLength(1);
  });
});
