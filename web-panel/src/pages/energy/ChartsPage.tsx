import { useMemo, useState } from 'react';
import { Alert, Card, Empty, Flex, Input, Segmented, Select, Typography } from 'antd';
import type { EnergyGranularity } from '@campus/protocol/energy/api';
import EnergyChart from './EnergyChart';
import { fetchBuildingSeries, fetchOverview, fetchSeries } from './api';
import { addDays, localDate } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

const DEFAULT_DAYS: Record<EnergyGranularity, number> = { hour: 0, day: 29, month: 364 };

/** 用电统计: energy of the campus, a building or a room, or all buildings side by side, per hour, day or month. */
export default function ChartsPage() {
  const { locale, t } = useEnergyText();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const tz = overview.data?.timezone ?? 'Asia/Shanghai';
  const today = localDate(Date.now(), tz);
  const [granularity, setGranularity] = useState<EnergyGranularity>('day');
  const [scope, setScope] = useState('campus');
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const from = range?.from ?? addDays(today, -DEFAULT_DAYS[granularity]);
  const to = range?.to ?? today;

  const byBuilding = scope === 'buildings';
  const series = useEnergyQuery(
    async (api) => {
      if (byBuilding) return { kind: 'buildings' as const, data: await fetchBuildingSeries(api, { granularity, from, to }) };
      const [kind, id] = scope === 'campus' ? (['campus', undefined] as const) : (scope.split(':') as ['building' | 'room', string]);
      return { kind: 'one' as const, data: await fetchSeries(api, { scope: kind, id, granularity, from, to }) };
    },
    `${scope}|${granularity}|${from}|${to}`,
  );

  const option = useMemo(() => {
    const d = series.data;
    if (!d) return null;
    if (d.kind === 'buildings') {
      const labels = [...new Set(d.data.buildings.flatMap((b) => b.points.map((p) => p.label)))].sort();
      if (labels.length === 0) return null;
      return {
        grid: { left: 56, right: 16, top: 56, bottom: 56 },
        tooltip: { trigger: 'axis' },
        legend: { top: 0, type: 'scroll' },
        dataZoom: labels.length > 40 ? [{ type: 'slider', bottom: 8 }] : [],
        xAxis: { type: 'category', data: labels },
        yAxis: { type: 'value', name: 'kWh' },
        series: d.data.buildings.map((b) => {
          const byLabel = new Map(b.points.map((p) => [p.label, p.kwh]));
          return { type: 'bar', name: b.name, stack: 'total', data: labels.map((l) => byLabel.get(l) ?? 0) };
        }),
      };
    }
    const points = d.data.points;
    if (points.length === 0) return null;
    return {
      grid: { left: 56, right: 16, top: 56, bottom: 56 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      dataZoom: points.length > 40 ? [{ type: 'slider', bottom: 8 }] : [],
      xAxis: { type: 'category', data: points.map((p) => p.label) },
      yAxis: { type: 'value', name: 'kWh' },
      series: [
        { type: 'bar', name: t('energy.charts.inHours'), stack: 'total', data: points.map((p) => Math.round((p.kwh - p.kwhAfter) * 1000) / 1000) },
        { type: 'bar', name: t('energy.charts.afterHours'), stack: 'total', data: points.map((p) => p.kwhAfter), itemStyle: { color: '#fa8c16' } },
      ],
    };
  }, [series.data, t]);

  const total = useMemo(() => {
    const d = series.data;
    if (!d) return null;
    const points = d.kind === 'buildings' ? d.data.buildings.flatMap((b) => b.points) : d.data.points;
    return { kwh: points.reduce((a, p) => a + p.kwh, 0), after: points.reduce((a, p) => a + p.kwhAfter, 0) };
  }, [series.data]);

  const scopes = [
    { value: 'campus', label: t('energy.charts.campus') },
    { value: 'buildings', label: t('energy.charts.byBuilding') },
    ...(overview.data?.buildings ?? []).map((b) => ({ value: `building:${b.id}`, label: b.name })),
    ...(overview.data?.rooms ?? []).map((r) => ({ value: `room:${r.id}`, label: `${overview.data!.buildings.find((b) => b.id === r.building)?.name ?? r.building} · ${r.name}` })),
  ];

  return (
    <Flex vertical gap="middle" data-testid="energy-charts">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.charts')}
      </Typography.Title>
      <Card>
        <Flex gap="middle" wrap align="center">
          <Select data-testid="chart-scope" style={{ minWidth: 200 }} value={scope} onChange={setScope} options={scopes} aria-label={t('energy.charts.scope')} />
          <Segmented<EnergyGranularity>
            data-testid="chart-granularity"
            value={granularity}
            onChange={(g) => {
              setGranularity(g);
              setRange(null);
            }}
            options={[
              { value: 'hour', label: t('energy.charts.hour') },
              { value: 'day', label: t('energy.charts.day') },
              { value: 'month', label: t('energy.charts.month') },
            ]}
          />
          <Flex gap={4} align="center">
            <Input type="date" data-testid="chart-from" value={from} max={to} onChange={(e) => e.target.value && setRange({ from: e.target.value, to })} aria-label={t('energy.charts.range')} />
            <span>–</span>
            <Input type="date" data-testid="chart-to" value={to} min={from} onChange={(e) => e.target.value && setRange({ from, to: e.target.value })} />
          </Flex>
        </Flex>
      </Card>
      {series.error && <Alert type="error" showIcon message={series.error.text[locale]} />}
      <Card>
        {option ? <EnergyChart option={option} height={380} testId="energy-chart" /> : <Empty description={t('energy.charts.empty')} data-testid="chart-empty" />}
        {total && (
          <Typography.Text data-testid="chart-total">
            {t('energy.charts.total', { kwh: total.kwh.toFixed(1), after: total.after.toFixed(1) })}
          </Typography.Text>
        )}
      </Card>
    </Flex>
  );
}
