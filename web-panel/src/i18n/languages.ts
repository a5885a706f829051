import type { Locale } from '@campus/protocol/i18n';

/** Each language named in itself, whatever the current UI language (so anyone can find theirs). */
export const LANGUAGE_AUTONYMS: Record<Locale, string> = {
  'zh-CN': '中文',
  en: 'English',
};
