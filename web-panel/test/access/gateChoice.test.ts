import { describe, expect, it } from 'vitest';
import { GATE_CHOICE_KEY, storedGate, storeGate } from '../../src/pages/access/live/gateChoice';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

const refusing = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
};

describe('the gate a tablet shows', () => {
  it('comes back after a reload', () => {
    const s = memoryStorage();
    storeGate(s, 'east');
    expect(s.map.get(GATE_CHOICE_KEY)).toBe('east');
    expect(storedGate(s, ['east', 'north'])).toBe('east');
  });

  it('is every gate again when the stored gate no longer exists or "all" was chosen', () => {
    const s = memoryStorage();
    storeGate(s, 'old-gate');
    expect(storedGate(s, ['east'])).toBeNull();
    storeGate(s, null);
    expect(s.map.has(GATE_CHOICE_KEY)).toBe(false);
    expect(storedGate(s, ['east'])).toBeNull();
  });

  it('survives a browser that refuses storage', () => {
    expect(() => storeGate(refusing, 'east')).not.toThrow();
    expect(storedGate(refusing, ['east'])).toBeNull();
    expect(storedGate(undefined, ['east'])).toBeNull();
  });
});
