import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { PanelEvent } from '../../api/types';
import { useSession } from '../../auth/session';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { useEventFeed } from '../events/useEventFeed';
import { deviceOfEvent, endpointsApi, type DeviceIdentity } from './api';
import { GrantModal } from './GrantModal';
import { classesLabel, deviceLabel } from './labels';
import { chineseSpacing } from '../../format/spacing';

const KIND_COLOURS: Record<string, string> = { inserted: 'default', allowed: 'success', blocked: 'error', partial: 'warning', removed: 'default', dropped: 'warning' };

/** What an event says happened: the usb.<kind> type, with partial blocks told apart. */
function kindOf(e: PanelEvent): string {
  const kind = e.type.split('.')[1] ?? '';
  return kind === 'blocked' && e.data.outcome === 'partial' ? 'partial' : kind;
}

/** USB 事件: every insert, block and removal on every PC, live. */
export function UsbEventsTab() {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const now = useNow();
  const feed = useEventFeed('usb.');
  const [granting, setGranting] = useState<{ agentId: string; device: DeviceIdentity } | null>(null);

  const columns = useMemo<TableColumnsType<PanelEvent>>(
    () => [
      {
        key: 'time',
        title: t('panel.endpoints.col.time'),
        width: 130,
        render: (_, e) => <Tooltip title={absoluteTime(locale, e.occurredAt)}>{relativeTime(locale, e.occurredAt, now)}</Tooltip>,
      },
      { key: 'pc', title: t('panel.endpoints.col.pc'), width: 150, render: (_, e) => <Typography.Text>{e.subject ?? '—'}</Typography.Text> },
      {
        key: 'kind',
        title: t('panel.endpoints.col.event'),
        width: 110,
        render: (_, e) => {
          const kind = kindOf(e);
          return (
            <Tag color={KIND_COLOURS[kind] ?? 'default'} className="usb-kind" data-kind={kind}>
              {t(`panel.endpoints.kind.${kind}` as 'panel.endpoints.kind.inserted')}
            </Tag>
          );
        },
      },
      {
        key: 'device',
        title: t('panel.endpoints.col.device'),
        render: (_, e) => {
          const d = deviceOfEvent(e.data);
          if (!d) return '—';
          return (
            <Flex vertical>
              <span className="usb-device">{deviceLabel(d)}</span>
              <Typography.Text type="secondary">{classesLabel(locale, d.interfaceClasses)}</Typography.Text>
            </Flex>
          );
        },
      },
      { key: 'text', title: t('panel.events.col.text'), responsive: ['md'], render: (_, e) => <span className="event-text">{locale === 'zh-CN' ? chineseSpacing(e.text[locale]) : e.text[locale]}</span> },
      {
        key: 'actions',
        title: t('panel.endpoints.col.actions'),
        width: 130,
        render: (_, e) => {
          const d = deviceOfEvent(e.data);
          if (!d || !e.subject || e.type !== 'usb.blocked') return null;
          const agentId = e.subject;
          return (
            <Button type="link" onClick={() => setGranting({ agentId, device: d })} data-testid={`allow-device-${e.id}`}>
              {t('panel.endpoints.action.allowDevice')}
            </Button>
          );
        },
      },
    ],
    [locale, now, t],
  );

  return (
    <Flex vertical gap="middle">
      {feed.error && <Alert type="error" showIcon title={feed.error.text[locale]} action={<Button onClick={feed.reload}>{t('panel.action.retry')}</Button>} />}
      <ResponsiveTable<PanelEvent> cardTitle="device"
        data-testid="usb-event-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={feed.events}
        loading={feed.loading}
        pagination={false}
        rowClassName={(e) => `usb-event-row${feed.liveIds.has(e.id) ? ' event-row-live' : ''}`}
        locale={{ emptyText: t('panel.endpoints.usb.empty') }}
        footer={() =>
          feed.hasOlder ? (
            <Button onClick={feed.loadOlder} loading={feed.loadingOlder}>
              {t('panel.events.loadMore')}
            </Button>
          ) : null
        }
      />
      <GrantModal
        open={granting !== null}
        agentId={granting?.agentId ?? ''}
        device={granting?.device ?? null}
        defaultMinutes={120}
        askGrantedTo
        onClose={() => setGranting(null)}
        onSubmit={async (c) => {
          const g = granting!;
          await endpointsApi.grant(api, g.agentId, {
            kind: c.kind,
            device: g.device,
            ...(c.kind === 'temporary' ? { durationMinutes: c.durationMinutes } : {}),
            ...(c.grantedTo?.trim() ? { grantedTo: c.grantedTo.trim() } : {}),
          });
        }}
      />
    </Flex>
  );
}
