import { useCallback } from 'react';
import type { Params } from '@campus/protocol/i18n';
import { useLocale } from '../i18n/locale';
import { panelTranslate } from '../i18n/translate';
import { consoleMessages, type ConsoleMessageId } from './messages';

/** The console's texts in the language the shared LocaleProvider chose (the panel's switch and preference). */
export function useConsoleT(): { t: (id: ConsoleMessageId, params?: Params) => string; locale: ReturnType<typeof useLocale>['locale'] } {
  const { locale } = useLocale();
  const t = useCallback((id: ConsoleMessageId, params?: Params) => panelTranslate(locale, id, params, consoleMessages), [locale]);
  return { t, locale };
}
