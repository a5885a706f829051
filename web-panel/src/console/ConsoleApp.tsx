import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Select, Space, Spin, Typography } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import type { Locale as AntLocale } from 'antd/es/locale';
import type { Locale } from '@campus/protocol/i18n';
import { LocaleProvider, useLocale } from '../i18n/locale';
import { LanguageSwitch } from '../shell/LanguageSwitch';
import { panelTheme } from '../theme';
import { useConsoleT } from './i18n';
import { pagesFor, type ConsolePage } from './pages';
import { ConsoleSessionProvider, useConsole } from './session';

const ANTD_LOCALES: Record<Locale, AntLocale> = { 'zh-CN': zhCN, en: enUS };
const SignIn = lazy(() => import('./SignIn'));
const BASE = '/console/';

export function ConsoleApp() {
  return (
    <LocaleProvider>
      <Themed>
        <ConsoleSessionProvider>
          <Gate />
        </ConsoleSessionProvider>
      </Themed>
    </LocaleProvider>
  );
}

function Themed({ children }: { children: ReactNode }) {
  const { locale } = useLocale();
  return (
    <ConfigProvider locale={ANTD_LOCALES[locale]} theme={panelTheme} button={{ autoInsertSpace: false }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

function Loading() {
  const { t } = useConsoleT();
  return <Spin size="large" fullscreen description={t('console.app.loading')} />;
}

function Gate() {
  const { state } = useConsole();
  if (state.status === 'checking') return <Loading />;
  if (state.status === 'signedOut')
    return (
      <Suspense fallback={<Loading />}>
        <SignIn />
      </Suspense>
    );
  return <Shell />;
}

/** The page path under /console/, kept in the address bar (history API). */
function usePagePath(): [string, (p: string) => void] {
  const read = () => window.location.pathname.replace(/^\/console\/?/, '').split('/')[0] ?? '';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const onPop = () => setPath(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return [
    path,
    (p: string) => {
      window.history.pushState(null, '', BASE + p);
      setPath(p);
    },
  ];
}

function Shell() {
  const { state, schoolId, chooseSchool, signOut } = useConsole();
  const { t } = useConsoleT();
  const [path, go] = usePagePath();
  const account = state.status === 'signedIn' ? state.account : null;
  const schools = state.status === 'signedIn' ? state.schools : [];
  const pages = useMemo(() => pagesFor(account?.roles ?? []), [account]);
  const page = pages.find((p) => p.path === path) ?? pages[0];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={220}>
        <div className="sign-in-brand" style={{ padding: 16 }}>
          <span className="brand-mark">校</span>
          <Typography.Text strong>{t('console.app.title')}</Typography.Text>
        </div>
        <Menu mode="inline" selectedKeys={page ? [page.path] : []} items={pages.map((p) => ({ key: p.path, label: t(p.label) }))} onClick={(e) => go(e.key)} data-testid="console-menu" />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: 8, height: 'auto', minHeight: 64, lineHeight: 'normal', padding: '8px 16px' }}>
          <Space wrap>
            <Typography.Text type="secondary">{t('console.school')}</Typography.Text>
            <Select style={{ minWidth: 160, maxWidth: '60vw' }} value={schoolId ?? undefined} onChange={chooseSchool} options={schools.map((s) => ({ value: s.id, label: s.name }))} data-testid="school-select" />
          </Space>
          <Space wrap>
            <Typography.Text>{account?.displayName}</Typography.Text>
            <LanguageSwitch />
            <Button onClick={() => void signOut()}>{t('console.signout')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 16, minWidth: 0 }}>{page ? <PageView key={`${page.path}/${schoolId}`} page={page} /> : <Result status="info" title={t('console.no_pages')} />}</Layout.Content>
      </Layout>
    </Layout>
  );
}

const loaded = new Map<string, ReturnType<typeof lazy>>();
function PageView({ page }: { page: ConsolePage }) {
  let C = loaded.get(page.path);
  if (!C) loaded.set(page.path, (C = lazy(page.load)));
  return (
    <Suspense fallback={<Spin />}>
      <C />
    </Suspense>
  );
}
