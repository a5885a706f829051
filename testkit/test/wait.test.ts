import { describe, expect, it } from 'vitest';
import { waitFor } from '@campus/testkit';

describe('waitFor', () => {
  it('resolves with the first truthy value of the probe', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? { n } : undefined), 'the third poll');
    expect(v).toEqual({ n: 3 });
  });

  it('polls again after a probe throws, and names what and the last error on timeout', async () => {
    let calls = 0;
    const p = waitFor(
      () => {
        calls++;
        throw new Error('not yet');
      },
      'the file',
      { timeoutMs: 60, intervalMs: 5 },
    );
    await expect(p).rejects.toThrow(/waiting for the file \(last: not yet\)/);
    expect(calls).toBeGreaterThan(1);
  });

  it('accepts async probes and a bare timeout', async () => {
    await expect(waitFor(async () => false, 'never', 30)).rejects.toThrow(/timed out after 30 ms waiting for never/);
    await expect(waitFor(async () => 'ok', 'at once', 30)).resolves.toBe('ok');
  });
});
