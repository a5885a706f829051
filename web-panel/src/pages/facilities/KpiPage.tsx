import { useState } from 'react';
import type { KpiGroup } from '@campus/protocol/facilities/api';
import { Alert, Button, Card, Flex, Segmented, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import { facilitiesApi, type Kpi } from './api';
import { KpiCharts } from './KpiCharts';
import { categoryLabel } from './shared';
import { useFacText } from './useFacText';

type By = KpiGroup;
const num = (v: number | null, digits = 0) => (v === null ? '—' : v.toFixed(digits));

/** 工单绩效: response and repair times, SLA, reopen rate, backlog and ratings; Excel export. */
export default function KpiPage() {
  const { t, locale } = useFacText();
  const [by, setBy] = useState<By>('worker');
  const kpi = useEdgeQuery((a) => facilitiesApi.kpi(a, by), `kpi-${by}`, { reloadOnReconnect: true });
  const label = (key: string) => (key === '-' ? t(by === 'team' ? 'fac.kpi.noTeam' : 'fac.kpi.unassigned') : by === 'team' && key === 'contractor' ? t('fac.rota.kind.contractor') : by === 'category' ? categoryLabel(t, key) : key);
  return (
    <Flex vertical gap="middle" data-testid="fac-kpi">
      <Flex justify="space-between" align="center" wrap="wrap" gap="small">
        <Typography.Title level={3} className="page-title">
          {t('panel.menu.facilities.kpi')}
        </Typography.Title>
        <Button icon={<DownloadOutlined />} href="/api/facilities/kpi.xlsx" data-testid="kpi-xlsx">
          {t('fac.kpi.export')}
        </Button>
      </Flex>
      <Segmented data-testid="kpi-by" value={by} onChange={(v) => setBy(v as By)} options={(['worker', 'team', 'category', 'building'] as const).map((b) => ({ value: b, label: t(`fac.kpi.by.${b}`) }))} />
      {kpi.error && <Alert type="error" showIcon message={kpi.error.text[locale]} />}
      <KpiCharts rows={kpi.data?.rows ?? []} label={label} />
      <Card size="small">
        <ResponsiveTable<Kpi['rows'][number]>
          rowKey="key"
          size="small"
          loading={kpi.loading}
          dataSource={kpi.data?.rows ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { key: 'key', title: t(`fac.kpi.by.${by}`), render: (_: unknown, r) => label(r.key) },
            { key: 'orders', title: t('fac.kpi.orders'), dataIndex: 'orders' },
            { key: 'backlog', title: t('fac.kpi.backlog'), dataIndex: 'backlog' },
            { key: 'resp', title: t('fac.kpi.response'), render: (_: unknown, r) => num(r.avgResponseMin) },
            { key: 'repair', title: t('fac.kpi.repair'), render: (_: unknown, r) => num(r.avgRepairMin) },
            { key: 'sla', title: t('fac.kpi.sla'), render: (_: unknown, r) => `${r.slaMet}/${r.slaMet + r.slaMissed}` },
            { key: 'reopen', title: t('fac.kpi.reopen'), render: (_: unknown, r) => (r.reopenRate === null ? '—' : `${Math.round(r.reopenRate * 100)}%`) },
            { key: 'rating', title: t('fac.kpi.rating'), render: (_: unknown, r) => num(r.avgRating, 1) },
          ]}
        />
      </Card>
    </Flex>
  );
}
