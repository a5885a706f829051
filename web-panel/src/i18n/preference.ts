import { DEFAULT_LOCALE, isLocale, type Locale } from '@campus/protocol/i18n';

export const LOCALE_STORAGE_KEY = 'campus.panel.locale';

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/** The language the user last chose on this browser, if any. */
export function storedLocale(storage: KeyValueStore | undefined): Locale | null {
  try {
    const v = storage?.getItem(LOCALE_STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null; // storage disabled (private mode, policy): fall back to the default
  }
}

export function storeLocale(storage: KeyValueStore | undefined, locale: Locale): void {
  try {
    storage?.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // The choice then lasts for this page only; nothing else depends on it.
  }
}

/** An explicit choice on this browser wins; otherwise the user's profile; otherwise zh-CN. */
export function effectiveLocale(chosen: Locale | null, profile: Locale | undefined): Locale {
  return chosen ?? profile ?? DEFAULT_LOCALE;
}
