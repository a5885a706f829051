import { Suspense, useEffect, useState } from 'react';
import { Flex, Layout, Menu, Spin } from 'antd';
import { useSignedInUser } from '../auth/session';
import { useLocale } from '../i18n/locale';
import { mayOpen, pagesFor } from './access';
import { ClockBadge } from './ClockBadge';
import { LanguageSwitch } from './LanguageSwitch';
import { LiveBadge } from './LiveBadge';
import { usePagePath } from './location';
import { PageBoundary } from './PageBoundary';
import { StatusNotice } from './StatusNotice';
import { panelPages } from './pages';
import { UserMenu } from './UserMenu';
import { useSystemInfo } from './useSystemInfo';

/** The frame around every page: menu by role, header with site, clock, language, user. */
export function ShellLayout() {
  const user = useSignedInUser();
  const { t } = useLocale();
  const system = useSystemInfo();
  const [path, go] = usePagePath();
  const [collapsed, setCollapsed] = useState(false);
  const visible = pagesFor(panelPages, user.roles);
  const first = visible[0];
  const current = panelPages.find((p) => p.path === path);

  // An empty or unknown path opens the first page this user may see.
  useEffect(() => {
    if (!current && first) go(first.path);
  }, [current, first, go]);

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
