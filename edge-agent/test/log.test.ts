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
});
