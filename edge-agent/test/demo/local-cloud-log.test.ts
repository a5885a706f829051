import { describe, expect, it } from 'vitest';
import { cloudLogLine } from '../../src/demo/local-cloud.js';

/** What the demo terminal shows of the local cloud's log: sign-in codes yes, its admin token never. */
describe('local cloud log in the demo terminal', () => {
  it('shows a demo sign-in code as a plain line', () => {
    const line = JSON.stringify({ level: 30, time: 1, name: 'campus-cloud', msg: 'demo: parent sign-in code 123456 for 13800000001', phone: '13800000001', code: '123456' });
    expect(cloudLogLine(line)).toEqual({ stream: 'stdout', text: '[家长端 parent app] 验证码 sign-in code 123456 → 13800000001' });
  });

  it('hides the admin token and other secrets, passes everything else on', () => {
    const token = 'a'.repeat(43);
    const shown = cloudLogLine(JSON.stringify({ level: 30, msg: 'admin token (generated on first start, kept in the database)', adminToken: token }));
    expect(shown?.stream).toBe('stderr');
    expect(shown?.text).not.toContain(token);
    expect(JSON.parse(shown!.text)).toMatchObject({ adminToken: '[HIDDEN]', msg: expect.stringContaining('admin token') });
    for (const key of ['password', 'privateKey', 'vapidPrivateKey', 'secret', 'sessionToken']) {
      expect(cloudLogLine(JSON.stringify({ msg: 'x', [key]: 's3cret-value' }))!.text).not.toContain('s3cret-value');
    }
    const plain = JSON.stringify({ level: 30, msg: 'cloud listening', url: 'http://127.0.0.1:8780', code: 'ECONNRESET' });
    expect(cloudLogLine(plain)).toEqual({ stream: 'stderr', text: plain });
    expect(cloudLogLine('云服务启动失败 / cloud failed to start: boom')).toEqual({ stream: 'stderr', text: '云服务启动失败 / cloud failed to start: boom' });
  });
});
