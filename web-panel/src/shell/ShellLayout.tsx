import { Suspense, useEffect, useRef, useState } from 'react';
import { Flex, Layout, Menu, Spin } from 'antd';
import { useSignedInUser } from '../auth/session';
import { useLocale } from '../i18n/locale';
import { landingPath, mayOpen, pagesFor } from './access';
import { ClockBadge } from './ClockBadge';
import { LanguageSwitch } from './LanguageSwitch';
import { LiveBadge } from './LiveBadge';
import { usePagePath } from './location';
import { PageBoundary } from './PageBoundary';
import { StatusNotice } from './StatusNotice';
import { landingOrder, panelPages } from './pages';
import { UserMenu } from './UserMenu';
import { useSystemInfo } from './useSystemInfo';

/** The frame around every page: menu by role, header with site, clock, language, user. */
export function ShellLayout() {
  const user = useSignedInUser();
  const { t } = useLocale();
  const system = useSystemInfo();
  const [path, go, land] = usePagePath();
  const [collapsed, setCollapsed] = useState(false);
  const visible = pagesFor(panelPages, user.roles);
  const landing = landingPath(panelPages, landingOrder, user.roles);
  const current = panelPages.find((p) => p.path === path);

  // The root or an unknown path opens the page of the user's job. Right after sign-in a
  // page this user may not open (left in the address by someone else's session) does
  // too; later, typing such an address says it is not theirs.
  const signedInJustNow = useRef(true);
  useEffect(() => {
    const justSignedIn = signedInJustNow.current;
    signedInJustNow.current = false;
    if (!landing) return;
    if (!current || (justSignedIn && !mayOpen(current, user.roles))) land(landing);
  }, [current, landing, land, user.roles]);

  useEffect(() => {
    const site = system?.siteName;
    document.title = site ? `${site} · ${t('panel.app.title')}` : t('panel.app.title');
  }, [system?.siteName, t]);

  let content;
  if (current && !mayOpen(current, user.roles)) {
    content = <StatusNotice kind="forbidden" title={t('panel.error.forbidden')} />;
  } else if (current) {
    content = (
      <PageBoundary key={current.path}>
        <Suspense fallback={<Spin size="large" className="page-spinner" />}>
          <current.Page />
        </Suspense>
      </PageBoundary>
    );
  } else {
    content = <StatusNotice kind="warning" title={t('panel.error.notFound')} />;
  }

  return (
    <Layout className="shell">
      <Layout.Sider
        breakpoint="lg"
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        collapsedWidth={72}
        width={240}
      >
        <div className="brand" title={t('panel.app.title')}>
          <span className="brand-mark">校</span>
          {!collapsed && <span className="brand-name">{t('panel.app.title')}</span>}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          data-testid="main-menu"
          selectedKeys={current ? [current.path] : []}
          items={visible.map((p) => ({ key: p.path, icon: p.icon, label: t(p.menuLabel) }))}
          onClick={({ key }) => go(key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="shell-header">
          <h1 className="site-name" data-testid="site-name">
            {system?.siteName ?? ''}
          </h1>
          <Flex align="center" gap="middle" wrap="wrap" justify="flex-end">
            <LiveBadge />
            {system && <ClockBadge clock={system.clock} />}
            <LanguageSwitch />
            <UserMenu />
          </Flex>
        </Layout.Header>
        <Layout.Content className="shell-content">{content}</Layout.Content>
      </Layout>
    </Layout>
  );
}
