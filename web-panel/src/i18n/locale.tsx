import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { panelTranslate } from './translate';
import type { Locale, Params } from '@campus/protocol/i18n';
import { panelMessages, type PanelMessageId } from './messages';
import { effectiveLocale, storedLocale, storeLocale } from './preference';

interface LocaleState {
  locale: Locale;
  /** Switches the language and remembers the choice on this browser. */
  chooseLocale: (locale: Locale) => void;
  /** Uses the signed-in user's profile language unless one was chosen here. */
  adoptProfileLocale: (locale: Locale) => void;
  t: (id: PanelMessageId, params?: Params) => string;
}

const LocaleContext = createContext<LocaleState | null>(null);

function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [chosen, setChosen] = useState<Locale | null>(() => storedLocale(browserStorage()));
  const [profile, setProfile] = useState<Locale | undefined>(undefined);
  const locale = effectiveLocale(chosen, profile);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const chooseLocale = useCallback((next: Locale) => {
    storeLocale(browserStorage(), next);
    setChosen(next);
  }, []);

  const t = useCallback(
    (id: PanelMessageId, params?: Params) => panelTranslate(locale, id, params, panelMessages),
    [locale],
  );

  const value = useMemo(
    () => ({ locale, chooseLocale, adoptProfileLocale: setProfile, t }),
    [locale, chooseLocale, t],
  );
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error('useLocale outside <LocaleProvider>');
  return state;
}
