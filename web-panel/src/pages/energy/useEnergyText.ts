import { useCallback } from 'react';
import { panelTranslate } from '../../i18n/translate';
import { type Locale, type Params } from '@campus/protocol/i18n';
import { useLocale } from '../../i18n/locale';
import type { PanelMessageId } from '../../i18n/messages';
import { energyPageMessages, type EnergyPageMessageId } from './messages';

export type EnergyTextId = EnergyPageMessageId | PanelMessageId;

/** The panel's `t`, extended with the energy pages' strings (which load with the page chunks). */
export function useEnergyText(): { locale: Locale; t: (id: EnergyTextId, params?: Params) => string } {
  const { locale } = useLocale();
  const t = useCallback((id: EnergyTextId, params?: Params) => panelTranslate(locale, id, params, energyPageMessages), [locale]);
  return { locale, t };
}
