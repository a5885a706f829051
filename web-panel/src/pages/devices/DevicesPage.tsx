import { useMemo } from 'react';
import { Alert, Badge, Button, Flex, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { BrokerClient } from '../../api/types';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { sortClients } from './presence';
import { useBrokerClients } from './useBrokerClients';

const ROLE_COLOURS: Record<BrokerClient['role'], string> = {
  device: 'blue',
  'pc-agent': 'purple',
  operator: 'gold',
  observer: 'default',
};

/** 设备: every client registered with the edge's MQTT broker, and whether it is connected now. */
export default function DevicesPage() {
  const { locale, t } = useLocale();
  const now = useNow();
  const list = useBrokerClients();
  const clients = useMemo(() => sortClients(list.clients, locale), [list.clients, locale]);
  const online = clients.filter((c) => c.online).length;

  const columns = useMemo<TableColumnsType<BrokerClient>>(
    () => [
      {
        key: 'status',
        title: t('panel.devices.col.status'),
        width: 110,
        render: (_, c) => (
          <Badge
            status={c.online ? 'success' : 'default'}
            text={t(c.online ? 'panel.devices.online' : 'panel.devices.offline')}
            data-testid={`presence-${c.clientId}`}
            data-online={String(c.online)}
          />
        ),
      },
      {
        key: 'name',
        title: t('panel.devices.col.name'),
        render: (_, c) => (
          <Flex vertical>
            <span className="client-name">{c.displayName}</span>
            <Typography.Text type="secondary" className="client-id">
              {c.clientId}
            </Typography.Text>
          </Flex>
        ),
      },
      {
        key: 'role',
        title: t('panel.devices.col.role'),
        width: 130,
        render: (_, c) => <Tag color={ROLE_COLOURS[c.role]}>{t(`panel.clientRole.${c.role}`)}</Tag>,
      },
      {
        key: 'lastSeen',
        title: t('panel.devices.col.lastSeen'),
        width: 150,
        render: (_, c) => {
          if (c.online) return t('panel.devices.now');
          if (c.lastSeen === null) return <Typography.Text type="secondary">{t('panel.devices.never')}</Typography.Text>;
          return <Tooltip title={absoluteTime(locale, c.lastSeen)}>{relativeTime(locale, c.lastSeen, now)}</Tooltip>;
        },
      },
      {
        key: 'address',
        title: t('panel.devices.col.address'),
        width: 170,
        responsive: ['md'],
        render: (_, c) => <Typography.Text type="secondary">{c.address ?? '—'}</Typography.Text>,
      },
    ],
    [locale, now, t],
  );

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Typography.Title level={3} className="page-title">
          {t('panel.menu.devices')}
        </Typography.Title>
        <Typography.Text className="device-summary" data-testid="device-summary">
          <Badge status={online > 0 ? 'success' : 'default'} />
          {t('panel.devices.summary', { online, total: clients.length })}
        </Typography.Text>
      </Flex>
      {list.error && (
        <Alert
          type="error"
          showIcon
          title={list.error.text[locale]}
          action={<Button onClick={list.reload}>{t('panel.action.retry')}</Button>}
        />
      )}
      <ResponsiveTable<BrokerClient> cardTitle="name"
        data-testid="device-table"
        rowKey="clientId"
        size="middle"
        columns={columns}
        dataSource={clients}
        loading={list.loading}
        pagination={false}
        sticky
        locale={{ emptyText: t('panel.devices.empty') }}
      />
    </Flex>
  );
}
