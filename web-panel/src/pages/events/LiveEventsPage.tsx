import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Select, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import { WarningOutlined } from '@ant-design/icons';
import type { PanelEvent } from '../../api/types';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { chineseSpacing } from '../../format/spacing';
import { eventCategories, eventSourceLabel, eventTypeLabel } from './labels';
import { SeverityTag } from './SeverityTag';
import { useEventFeed } from './useEventFeed';

/** 实时事件: what is happening on campus, newest on top, live. */
export default function LiveEventsPage() {
  const { locale, t } = useLocale();
  const now = useNow();
  const [typePrefix, setTypePrefix] = useState('');
  const categories = useMemo(() => eventCategories(locale), [locale]);
  const feed = useEventFeed(typePrefix);

  const columns = useMemo<TableColumnsType<PanelEvent>>(
    () => [
      {
        key: 'time',
        title: t('panel.events.col.time'),
        width: 150,
        render: (_, e) => (
          <Tooltip title={absoluteTime(locale, e.occurredAt)}>
            <span className="event-time">
              {relativeTime(locale, e.occurredAt, now)}
              {!e.clockTrusted && (
                <Tooltip title={t('panel.events.clockUntrusted')}>
                  <WarningOutlined className="clock-untrusted-mark" aria-label={t('panel.events.clockUntrusted')} />
                </Tooltip>
              )}
            </span>
          </Tooltip>
        ),
      },
      {
        key: 'severity',
        title: t('panel.events.col.severity'),
        width: 96,
        render: (_, e) => <SeverityTag severity={e.severity} />,
      },
      {
        key: 'text',
        title: t('panel.events.col.text'),
        render: (_, e) => <span className="event-text">{locale === 'zh-CN' ? chineseSpacing(e.text[locale]) : e.text[locale]}</span>,
      },
      {
        key: 'type',
        title: t('panel.events.col.type'),
        width: 200,
        responsive: ['md'],
        render: (_, e) => (
          <Tooltip title={e.type}>
            <Tag className="event-type" data-type={e.type}>{eventTypeLabel(locale, e.type)}</Tag>
          </Tooltip>
        ),
      },
      {
        key: 'source',
        title: t('panel.events.col.source'),
        width: 180,
        responsive: ['xl'],
        render: (_, e) => (
          <Tooltip title={e.source}>
            <Typography.Text type="secondary">{eventSourceLabel(locale, e)}</Typography.Text>
          </Tooltip>
        ),
      },
    ],
    [locale, now, t],
  );

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Typography.Title level={3} className="page-title">
          {t('panel.menu.events')}
        </Typography.Title>
        <Select
          className="event-filter"
          data-testid="event-filter"
          allowClear
          // Chinese (or English) labels; IT staff may still type an id such as usb.blocked.
          showSearch={{ filterOption: (input, option) => !!option && (option.label.toLowerCase().includes(input.trim().toLowerCase()) || option.value.startsWith(input.trim().toLowerCase())) }}
          size="large"
          placeholder={t('panel.events.filter')}
          value={typePrefix || undefined}
          onChange={(v?: string) => setTypePrefix(v ?? '')}
          options={categories.map((c) => ({ value: c.prefix, label: c.label }))}
        />
      </Flex>
      {feed.error && (
        <Alert
          type="error"
          showIcon
          title={feed.error.text[locale]}
          action={<Button onClick={feed.reload}>{t('panel.action.retry')}</Button>}
        />
      )}
      <ResponsiveTable<PanelEvent> cardTitle="text"
        data-testid="event-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={feed.events}
        loading={feed.loading}
        pagination={false}
        sticky
        rowClassName={(e) => `event-row event-${e.severity}${feed.liveIds.has(e.id) ? ' event-row-live' : ''}`}
        locale={{ emptyText: t('panel.events.empty') }}
        footer={() => (
          <Flex align="center" justify="space-between">
            <Typography.Text type="secondary">{t('panel.events.count', { count: feed.events.length })}</Typography.Text>
            {feed.hasOlder ? (
              <Button onClick={feed.loadOlder} loading={feed.loadingOlder}>
                {t('panel.events.loadMore')}
              </Button>
            ) : (
              feed.events.length > 0 && <Typography.Text type="secondary">{t('panel.events.noMore')}</Typography.Text>
            )}
          </Flex>
        )}
      />
    </Flex>
  );
}
