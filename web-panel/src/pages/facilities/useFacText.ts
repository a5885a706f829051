import { useCallback } from 'react';
import { type Locale, type Params } from '@campus/protocol/i18n';
import { panelTranslate } from '../../i18n/translate';
import { useLocale } from '../../i18n/locale';
import { facilitiesPageMessages } from './messages';

/** The panel's `t` with the facilities pages' strings (which load with the page chunks). */
export function useFacText(): { locale: Locale; t: (id: string, params?: Params) => string } {
  const { locale } = useLocale();
  const t = useCallback((id: string, params?: Params) => panelTranslate(locale, id, params, facilitiesPageMessages), [locale]);
  return { locale, t };
}
