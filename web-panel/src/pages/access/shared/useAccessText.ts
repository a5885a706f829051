import { useCallback } from 'react';
import { panelTranslate } from '../../../i18n/translate';
import { type Locale, type Params } from '@campus/protocol/i18n';
import { useLocale } from '../../../i18n/locale';
import type { PanelMessageId } from '../../../i18n/messages';
import { accessPageMessages, type AccessPageMessageId } from '../messages';

export type AccessTextId = AccessPageMessageId | PanelMessageId;

/**
 * The panel's `t`, extended with the access pages' own strings. Those load with the page
 * chunks; the shell's ids still resolve through the shared registry.
 */
export function useAccessText(): { locale: Locale; t: (id: AccessTextId, params?: Params) => string } {
  const { locale } = useLocale();
  const t = useCallback((id: AccessTextId, params?: Params) => panelTranslate(locale, id, params, accessPageMessages), [locale]);
  return { locale, t };
}
