import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src/serial/index.js';

describe('reconnectDelay', () => {
  it('doubles from the initial delay and never exceeds the cap', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => reconnectDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
  it('treats nonsense attempt counts as the first retry', () => {
    expect(reconnectDelay(-3)).toBe(100);
  });
});
