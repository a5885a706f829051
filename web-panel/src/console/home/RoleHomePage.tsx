import { useEffect, useState } from 'react';
import { Alert, Button, Card, List, Space, Tag, Typography } from 'antd';
import { ApiError } from '../api';
import { useConsoleT } from '../i18n';
import type { ConsoleMessageId } from '../messages';
import { pagesFor, type ConsoleRole } from '../pages';
import { useConsole } from '../session';

/** Roles with a landing page, and what each can do (console pages are listed from the menu's registry). */
export const HOME_ROLES = ['transport_manager', 'nurse', 'facility_supervisor'] as const satisfies readonly ConsoleRole[];
const TASKS: Record<(typeof HOME_ROLES)[number], ConsoleMessageId[]> = {
  transport_manager: ['console.home.transport_manager.1', 'console.home.transport_manager.2', 'console.home.transport_manager.3'],
  nurse: ['console.home.nurse.1', 'console.home.nurse.2'],
  facility_supervisor: ['console.home.facility_supervisor.1', 'console.home.facility_supervisor.2'],
};

interface BusAlarm {
  id: string;
  text: { 'zh-CN': string; en: string };
  occurredAt: number;
  acknowledgedAt: number | null;
}

/** Opens another console page (the shell follows the address bar). */
const open = (path: string) => {
  window.history.pushState(null, '', `/console/${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
};

/**
 * The landing page of the bus, health and facility roles (工作台): per role, what it does
 * and where, the console pages it has, and for the transport manager the bus alarms not
 * yet acknowledged (the cloud's bus-alarms route).
 */
export default function RoleHomePage() {
  const { state } = useConsole();
  const { t } = useConsoleT();
  const account = state.status === 'signedIn' ? state.account : null;
  const roles = (account?.roles ?? []) as ConsoleRole[];
  const mine = HOME_ROLES.filter((r) => roles.includes(r));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="role-home">
      <Typography.Paragraph>{t('console.home.intro', { name: account?.displayName ?? '' })}</Typography.Paragraph>
      {mine.map((role) => (
        <RoleCard key={role} role={role} />
      ))}
      {mine.includes('transport_manager') && <BusAlarms />}
    </Space>
  );
}

function RoleCard({ role }: { role: (typeof HOME_ROLES)[number] }) {
  const { t } = useConsoleT();
  const pages = pagesFor([role]).filter((p) => p.path !== 'home');
  return (
    <Card title={t(`console.staff_role.${role}` as ConsoleMessageId)} data-testid={`home-${role}`}>
      <List size="small" dataSource={TASKS[role]} renderItem={(id) => <List.Item>{t(id)}</List.Item>} />
      <Typography.Text type="secondary">{t('console.home.pages')}：</Typography.Text>{' '}
      {pages.length ? (
        <Space wrap>
          {pages.map((p) => (
            <Button key={p.path} size="small" onClick={() => open(p.path)}>
              {t(p.label)}
            </Button>
          ))}
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('console.home.no_pages')}</Typography.Text>
      )}
    </Card>
  );
}

function BusAlarms() {
  const { api, schoolId } = useConsole();
  const { t, locale } = useConsoleT();
  const [alarms, setAlarms] = useState<BusAlarm[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!schoolId) return;
    api
      .get<{ alarms: BusAlarm[] }>(`/schools/${schoolId}/bus-alarms`)
      .then((r) => setAlarms(r.alarms.filter((a) => a.acknowledgedAt === null)))
      .catch((err: unknown) => setError(err instanceof ApiError ? err.text[locale] : String(err)));
  }, [api, schoolId, locale]);
  return (
    <Card title={t('console.home.alarms')} extra={alarms && <Tag color={alarms.length ? 'red' : 'green'}>{t('console.home.alarms_count', { count: alarms.length })}</Tag>} data-testid="home-bus-alarms">
      {error && <Alert type="error" showIcon title={error} />}
      {alarms && !alarms.length && <Typography.Text type="secondary">{t('console.home.alarms_none')}</Typography.Text>}
      {alarms && alarms.length > 0 && (
        <List
          size="small"
          dataSource={alarms.slice(0, 20)}
          renderItem={(a) => (
            <List.Item>
              {new Date(a.occurredAt).toLocaleString(locale)} — {a.text[locale]}
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
