import { useMemo, useState } from 'react';
import { Alert, Button, Empty, Flex, Segmented, Tag, Typography, message, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { AlarmView } from '@campus/protocol/energy/api';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { useLiveEvents } from '../../live/connection';
import { acknowledgeAlarm, fetchAlarms, fetchOverview } from './api';
import { dateTime } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

const SEVERITY_COLOUR: Record<AlarmView['severity'], string> = { info: 'default', notice: 'blue', warning: 'orange', critical: 'red' };

/** 用电告警: open alarms (active or not yet acknowledged) with acknowledge, and the history; live. */
export default function AlarmsPage() {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [notice, holder] = message.useMessage();
  const [view, setView] = useState<'open' | 'all'>('open');
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const alarms = useEnergyQuery((a) => fetchAlarms(a, view), view, 30_000);
  const tz = overview.data?.timezone ?? 'Asia/Shanghai';
  const buildings = useMemo(() => new Map((overview.data?.buildings ?? []).map((b) => [b.id, b.name])), [overview.data]);
  const [busy, setBusy] = useState<string | null>(null);

  useLiveEvents((e) => {
    if (e.type.startsWith('alarm.energy.')) alarms.reload();
  });

  async function ack(a: AlarmView) {
    setBusy(a.id);
    try {
      await acknowledgeAlarm(api, a.id);
      notice.success(t('energy.alarms.ackDone'));
    } catch (err) {
      notice.error((err as ApiError).text[locale]);
    } finally {
      setBusy(null);
      alarms.reload();
    }
  }

  const columns: TableColumnsType<AlarmView> = [
    { key: 'severity', title: t('energy.alarms.col.severity'), width: 90, render: (_, a) => <Tag color={SEVERITY_COLOUR[a.severity]}>{t(`energy.severity.${a.severity}`)}</Tag> },
    {
      key: 'what',
      title: t('energy.alarms.col.what'),
      render: (_, a) => (
        <Flex vertical>
          <span data-testid={`alarm-text-${a.rule}`}>{a.text[locale]}</span>
          <Typography.Text type="secondary">
            {a.building ? `${buildings.get(a.building) ?? a.building} · ` : ''}
            {a.subject}
          </Typography.Text>
        </Flex>
      ),
    },
    { key: 'raised', title: t('energy.alarms.col.raised'), width: 130, render: (_, a) => dateTime(a.raisedAt, tz, locale) },
    {
      key: 'state',
      title: t('energy.alarms.col.state'),
      width: 220,
      render: (_, a) => (
        <Flex gap={4} wrap>
          {a.state === 'active' ? <Tag color="red">{t('energy.alarms.active')}</Tag> : <Tag color="green">{t('energy.alarms.cleared', { time: a.clearedAt ? dateTime(a.clearedAt, tz, locale) : '' })}</Tag>}
          {a.acknowledged && <Tag>{t('energy.alarms.acked', { by: a.acknowledgedBy ?? '' })}</Tag>}
        </Flex>
      ),
    },
    {
      key: 'ops',
      width: 100,
      render: (_, a) =>
        !a.acknowledged && (
          <Button size="small" type="primary" loading={busy === a.id} data-testid={`ack-${a.id}`} onClick={() => void ack(a)}>
            {t('energy.alarms.ack')}
          </Button>
        ),
    },
  ];

  if (alarms.error?.code === 'energy.not_running') return <Alert type="info" showIcon message={t('energy.notRunning')} />;
  return (
    <Flex vertical gap="middle" data-testid="energy-alarms">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.alarms')}
      </Typography.Title>
      {holder}
      <Segmented<'open' | 'all'>
        value={view}
        onChange={setView}
        options={[
          { value: 'open', label: t('energy.alarms.open') },
          { value: 'all', label: t('energy.alarms.history') },
        ]}
      />
      {alarms.error && <Alert type="error" showIcon message={alarms.error.text[locale]} />}
      <ResponsiveTable<AlarmView> cardTitle="what"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={alarms.data ?? []}
        loading={alarms.loading}
        pagination={false}
        rowClassName={(a) => `alarm-row alarm-${a.state}`}
        locale={{ emptyText: <Empty description={t('energy.alarms.none')} /> }}
        data-testid="alarm-table"
      />
    </Flex>
  );
}
