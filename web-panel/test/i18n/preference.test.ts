import { describe, expect, it } from 'vitest';
import { effectiveLocale, LOCALE_STORAGE_KEY, storedLocale, storeLocale } from '../../src/i18n/preference';
import { panelMessages } from '../../src/i18n/messages';

/** A Storage as the browser implements it (string keys and values). */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, String(v)) };
}

describe('language preference', () => {
  it('remembers a choice and reads it back', () => {
    const storage = memoryStorage();
    storeLocale(storage, 'en');
    expect(storedLocale(storage)).toBe('en');
  });

  it('ignores a stored value that is not a locale', () => {
    expect(storedLocale(memoryStorage({ [LOCALE_STORAGE_KEY]: 'fr' }))).toBeNull();
  });

  it('survives storage that throws (disabled by policy)', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(storedLocale(broken)).toBeNull();
    expect(() => storeLocale(broken, 'en')).not.toThrow();
  });

  it('prefers the choice, then the profile, then zh-CN', () => {
    expect(effectiveLocale('en', 'zh-CN')).toBe('en');
    expect(effectiveLocale(null, 'en')).toBe('en');
    expect(effectiveLocale(null, undefined)).toBe('zh-CN');
  });
});

describe('panel catalogue', () => {
  it('has non-empty zh-CN and English text for every id, with the same placeholders', () => {
    for (const [id, msg] of Object.entries(panelMessages)) {
      expect(msg['zh-CN'].trim(), id).not.toBe('');
      expect(msg.en.trim(), id).not.toBe('');
      const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(holes(msg.en), id).toEqual(holes(msg['zh-CN']));
    }
  });
});
