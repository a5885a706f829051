import { Segmented } from 'antd';
import { LOCALES, type Locale } from '@campus/protocol/i18n';
import { LANGUAGE_AUTONYMS } from '../i18n/languages';
import { useLocale } from '../i18n/locale';

export function LanguageSwitch() {
  const { locale, chooseLocale, t } = useLocale();
  return (
    <Segmented<Locale>
      aria-label={t('panel.lang.switch')}
      value={locale}
      onChange={chooseLocale}
      options={LOCALES.map((l) => ({ value: l, label: <span lang={l}>{LANGUAGE_AUTONYMS[l]}</span> }))}
    />
  );
}
