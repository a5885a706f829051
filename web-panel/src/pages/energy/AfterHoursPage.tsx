import { useMemo, useState } from 'react';
import { Alert, Card, Flex, Input, Progress, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { AfterHoursReportView } from '@campus/protocol/energy/api';
import EnergyChart from './EnergyChart';
import { fetchAfterHours, fetchOverview } from './api';
import { addDays, localDate } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

type Row = AfterHoursReportView['buildings'][number];

/**
 * The after-hours share as a number with a bar beside it: orange above 30 %. Never
 * antd's "exception" state, which at 100 % hides the number behind a red ✕.
 */
function SharePercent({ share }: { share: number }) {
  const pct = Number.isFinite(share) ? Math.round(share * 100) : 0;
  return (
    <Flex align="center" gap={8} className="energy-share" data-testid="waste-share">
      <span className="energy-num">{pct}%</span>
      <Progress percent={Math.min(100, pct)} showInfo={false} size="small" status="normal" strokeColor={share > 0.3 ? '#fa8c16' : undefined} style={{ width: 72, margin: 0 }} />
    </Flex>
  );
}

/** 非工作时间用电: energy used outside operating hours per building, costed with the 峰谷 tariff. */
export default function AfterHoursPage() {
  const { locale, t } = useEnergyText();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const today = localDate(Date.now(), overview.data?.timezone ?? 'Asia/Shanghai');
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const from = range?.from ?? addDays(today, -6);
  const to = range?.to ?? today;
  const report = useEnergyQuery((api) => fetchAfterHours(api, from, to), `${from}|${to}`);
  const r = report.data;
  const currency = r?.currency ?? 'CNY';

  const columns = useMemo<TableColumnsType<Row>>(() => {
    const money = (v: number) => t('energy.money', { value: v.toFixed(2), currency });
    return [
      { key: 'name', title: t('energy.waste.col.building'), dataIndex: 'name' },
      { key: 'kwh', title: t('energy.waste.col.kwh'), align: 'right', render: (_, b) => <span className="energy-num">{b.kwh.toFixed(1)}</span> },
      { key: 'after', title: t('energy.waste.col.after'), align: 'right', render: (_, b) => <span className="energy-num">{b.kwhAfter.toFixed(1)}</span> },
      { key: 'share', title: t('energy.waste.col.share'), width: 160, render: (_, b) => <SharePercent share={b.share} /> },
      {
        key: 'tiers',
        title: t('energy.waste.col.tiers'),
        render: (_, b) => <span className="energy-num">{[b.kwhAfterByTier.sharp, b.kwhAfterByTier.peak, b.kwhAfterByTier.flat, b.kwhAfterByTier.valley].map((v) => v.toFixed(1)).join(' / ')}</span>,
      },
      { key: 'cost', title: t('energy.waste.col.cost'), align: 'right', render: (_, b) => <span className="energy-num" data-testid={`waste-cost-${b.building}`}>{money(b.costAfter)}</span> },
    ];
  }, [t, currency]);

  const option = useMemo(() => {
    if (!r) return null;
    const dates = [...new Set(r.buildings.flatMap((b) => b.days.map((d) => d.date)))].sort();
    return {
      grid: { left: 56, right: 16, top: 56, bottom: 32 },
      tooltip: { trigger: 'axis' },
      // One scrolling line: on a phone a wrapped legend would cover the axis name.
      legend: { top: 0, type: 'scroll' },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', name: 'kWh' },
      series: r.buildings.map((b) => {
        const m = new Map(b.days.map((d) => [d.date, d.kwhAfter]));
        return { type: 'bar', name: b.name, stack: 'after', data: dates.map((d) => m.get(d) ?? 0) };
      }),
    };
  }, [r]);

  return (
    <Flex vertical gap="middle" data-testid="energy-waste">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.waste')}
      </Typography.Title>
      <Card title={t('energy.waste.range')}>
        <Flex gap={4} align="center" wrap>
          <Input type="date" data-testid="waste-from" value={from} max={to} style={{ width: 170 }} onChange={(e) => e.target.value && setRange({ from: e.target.value, to })} />
          <span>–</span>
          <Input type="date" data-testid="waste-to" value={to} min={from} style={{ width: 170 }} onChange={(e) => e.target.value && setRange({ from, to: e.target.value })} />
        </Flex>
      </Card>
      {report.error && <Alert type="error" showIcon message={report.error.text[locale]} />}
      {r && (
        <Alert
          type={r.total.kwhAfter > 0 ? 'warning' : 'success'}
          showIcon
          data-testid="waste-summary"
          message={t('energy.waste.summary', { from: r.from, to: r.to, kwh: r.total.kwhAfter.toFixed(1), cost: r.total.costAfter.toFixed(2), currency: r.currency, share: r.total.kwh > 0 ? Math.round((r.total.kwhAfter / r.total.kwh) * 100) : 0 })}
          description={t('energy.waste.tariff', r.prices)}
        />
      )}
      {option && (
        <Card>
          <EnergyChart option={option} height={280} testId="waste-chart" />
        </Card>
      )}
      <Card>
        <ResponsiveTable<Row> rowKey="building" size="small" columns={columns} dataSource={r?.buildings ?? []} loading={report.loading} pagination={false} data-testid="waste-table" />
      </Card>
    </Flex>
  );
}
