import { Suspense, useEffect, useRef, useState } from 'react';
import { Button, Drawer, Flex, Layout, Menu, Spin } from 'antd';
import { MenuOutlined } from '@ant-design/icons';
import { useSignedInUser } from '../auth/session';
import { useLocale } from '../i18n/locale';
import { panelTranslate } from '../i18n/translate';
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
import { usePhone } from '../ui/useMedia';

/**
 * The frame around every page: menu by role, header with site, clock, language, user.
 * On a phone the menu moves into a drawer behind a top-bar button, and the clock and
 * language switch move into the drawer so the bar never crowds.
 */
export function ShellLayout() {
  const user = useSignedInUser();
  const { locale, t } = useLocale();
  const system = useSystemInfo();
  const [path, go, land] = usePagePath();
  const [collapsed, setCollapsed] = useState(false);
  const phone = usePhone();
  const [drawerOpen, setDrawerOpen] = useState(false);
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

  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      data-testid="main-menu"
      selectedKeys={current ? [current.path] : []}
      items={visible.filter((p) => !(phone && p.desk)).map((p) => ({ key: p.path, icon: p.icon, label: <span data-page-path={p.path}>{panelTranslate(locale, p.menuLabel)}</span> }))}
      onClick={({ key }) => {
        setDrawerOpen(false);
        go(key);
      }}
    />
  );
  const brand = (showName: boolean) => (
    <div className="brand" title={t('panel.app.title')}>
      <span className="brand-mark">校</span>
      {showName && <span className="brand-name">{t('panel.app.title')}</span>}
    </div>
  );

  // One tree for both layouts, with the page at the same place in it: crossing the phone
  // breakpoint (a tablet turned, a window resized, a full-page screenshot) re-renders the
  // frame but never remounts the page, so an open form or drawer keeps what was typed.
  return (
    <Layout className={phone ? 'shell shell-phone' : 'shell'}>
      {phone ? null : (
        <Layout.Sider breakpoint="xl" collapsible collapsed={collapsed} onCollapse={setCollapsed} collapsedWidth={72} width={240}>
          {brand(!collapsed)}
          {menu}
        </Layout.Sider>
      )}
      <Layout>
        {phone ? (
          <Layout.Header className="shell-header shell-topbar">
            <Button
              type="text"
              size="large"
              className="menu-button"
              icon={<MenuOutlined />}
              aria-label={t('panel.menu.open')}
              data-testid="menu-button"
              onClick={() => setDrawerOpen(true)}
            />
            <h1 className="site-name" data-testid="site-name">
              {system?.siteName ?? ''}
            </h1>
            <Flex align="center" gap="small" className="header-tools">
              <LiveBadge compact />
              <UserMenu compact />
            </Flex>
          </Layout.Header>
        ) : (
          <Layout.Header className="shell-header">
            <h1 className="site-name" data-testid="site-name">
              {system?.siteName ?? ''}
            </h1>
            <Flex align="center" gap="middle" justify="flex-end" className="header-tools">
              <LiveBadge />
              {system && <ClockBadge clock={system.clock} />}
              <LanguageSwitch />
              <UserMenu />
            </Flex>
          </Layout.Header>
        )}
        {phone ? (
          <Drawer
            placement="left"
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            size={288}
            closable={false}
            className="menu-drawer"
            data-testid="menu-drawer"
            styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
          >
            {brand(true)}
            {menu}
            <Flex vertical gap="middle" className="menu-drawer-footer">
              {system && <ClockBadge clock={system.clock} />}
              <LanguageSwitch />
            </Flex>
          </Drawer>
        ) : null}
        <Layout.Content className="shell-content">{content}</Layout.Content>
      </Layout>
    </Layout>
  );
}
