import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Button, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import type { Locale as AntLocale } from 'antd/es/locale';
import type { Locale } from '@campus/protocol/i18n';
import { SessionProvider, useSession } from './auth/session';
import { LocaleProvider, useLocale } from './i18n/locale';
import { StatusNotice } from './shell/StatusNotice';
import { panelTheme } from './theme';
import { useReducedMotion } from './shell/useReducedMotion';
// antd's styles as one static stylesheet, with the theme in zeroRuntime mode (below): a
// slow phone no longer generates, hashes and injects each component's CSS while it
// renders (about a third of the gate page's first load at 4x CPU slowdown). The theme's
// tokens still apply, as CSS variables. Imported here, so every entry that renders the
// panel's theme also gets the styles it relies on.
import 'antd/dist/antd.css';

const ANTD_LOCALES: Record<Locale, AntLocale> = { 'zh-CN': zhCN, en: enUS };

// The first chunk only decides which of the two to fetch: a guard at the sign-in page
// does not download the shell, and a signed-in tablet does not download the form code.
const SignInPage = lazy(() => import('./pages/sign-in/SignInPage'));
const SignedInPanel = lazy(() => import('./shell/SignedInPanel'));

export function App() {
  return (
    <LocaleProvider>
      <Themed>
        <SessionProvider>
          <SessionGate />
        </SessionProvider>
      </Themed>
    </LocaleProvider>
  );
}

/** antd's own texts (table empty states, pickers) follow the panel language; its animations follow the device's reduced-motion setting. */
function Themed({ children }: { children: ReactNode }) {
  const { locale } = useLocale();
  const reduced = useReducedMotion();
  const theme = useMemo(
    () => ({ ...panelTheme, zeroRuntime: true, token: { ...panelTheme.token, ...(reduced ? { motion: false } : {}) } }),
    [reduced],
  );
  return (
    // No space pushed between two Chinese characters in buttons ("取 消"): one spacing rule everywhere.
    <ConfigProvider locale={ANTD_LOCALES[locale]} theme={theme} button={{ autoInsertSpace: false }}>
      {children}
    </ConfigProvider>
  );
}

function Loading() {
  const { t } = useLocale();
  return <Spin size="large" fullscreen description={t('panel.app.loading')} />;
}

function SessionGate() {
  const { session, recheck } = useSession();
  const { locale, t } = useLocale();
  switch (session.status) {
    case 'checking':
      return <Loading />;
    case 'unreachable':
      return (
        <StatusNotice
          kind="warning"
          title={session.error.text[locale]}
          action={
            <Button type="primary" size="large" onClick={() => void recheck()}>
              {t('panel.action.retry')}
            </Button>
          }
        />
      );
    case 'signedOut':
      return (
        <Suspense fallback={<Loading />}>
          <SignInPage />
        </Suspense>
      );
    case 'signedIn':
      return (
        <Suspense fallback={<Loading />}>
          <SignedInPanel key={session.user.username} />
        </Suspense>
      );
  }
}
