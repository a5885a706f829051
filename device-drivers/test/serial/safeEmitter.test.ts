import { describe, expect, it } from 'vitest';
import { SafeEmitter } from '../../src/serial/index.js';

class Bell extends SafeEmitter<{ ring: [n: number] }> {
  ring(n: number): void {
    this.emit('ring', n);
  }
}

describe('SafeEmitter', () => {
  it('keeps calling listeners after one throws, and reports the throw', () => {
    const errors: string[] = [];
    const bell = new Bell((error, event) => errors.push(`${event}: ${(error as Error).message}`));
    const heard: number[] = [];
    bell.on('ring', () => {
      throw new Error('bug');
    });
    bell.on('ring', (n) => heard.push(n));
    bell.ring(1);
    bell.ring(2);
    expect(heard).toEqual([1, 2]);
    expect(errors).toEqual(['ring: bug', 'ring: bug']);
  });

  it('runs a once-listener once, and off() removes it before it ran', () => {
    const bell = new Bell(() => {});
    const heard: number[] = [];
    const a = (n: number): void => void heard.push(n);
    const b = (n: number): void => void heard.push(n * 10);
    bell.once('ring', a);
    bell.once('ring', b);
    bell.off('ring', b);
    bell.ring(1);
    bell.ring(2);
    expect(heard).toEqual([1]);
    expect(bell.listenerCount('ring')).toBe(0);
  });
});
