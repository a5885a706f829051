import { useMemo } from 'react';
import { Alert, Badge, Card, Flex, Statistic, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { EnergyLive, LiveValueView } from '@campus/protocol/energy/api';
import EnergyChart from './EnergyChart';
import { fetchAlarms, fetchLive, fetchOverview } from './api';
import { kw } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

type Meter = EnergyLive['meters'][number];

const LIVE_REFRESH_MS = 5000;

function value(v: LiveValueView | undefined, digits = 1): { text: string; flagged: string | null } {
  if (!v) return { text: '—', flagged: null };
  if (v.quality !== 'good' || v.value === null) return { text: '—', flagged: v.quality };
  return { text: v.value.toFixed(digits), flagged: null };
}

/** 实时用电: live power of every building and the latest values of every meter. */
export default function LivePowerPage() {
  const { locale, t } = useEnergyText();
  const live = useEnergyQuery(fetchLive, 'live', LIVE_REFRESH_MS);
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const alarms = useEnergyQuery((api) => fetchAlarms(api, 'open'), 'open-alarms', LIVE_REFRESH_MS);
  const rooms = useMemo(() => new Map((overview.data?.rooms ?? []).map((r) => [r.id, r.name])), [overview.data]);
  const buildings = useMemo(() => new Map((overview.data?.buildings ?? []).map((b) => [b.id, b.name])), [overview.data]);
  const activeAlarms = (alarms.data ?? []).filter((a) => a.state === 'active').length;

  const chart = useMemo(() => {
    const list = live.data?.buildings ?? [];
    return {
      // Refreshed every few seconds: no growing bars each time.
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: list.map((b) => b.name) },
      yAxis: { type: 'value', name: 'kW' },
      series: [{ type: 'bar', data: list.map((b) => (b.powerW === null ? null : Math.round(b.powerW / 100) / 10)), barMaxWidth: 48 }],
    };
  }, [live.data]);

  const columns = useMemo<TableColumnsType<Meter>>(
    () => [
      {
        key: 'meter',
        title: t('energy.live.col.meter'),
        render: (_, m) => (
          <Flex vertical>
            <span>{m.name}</span>
            <Typography.Text type="secondary">
              {m.id} · {m.model}
            </Typography.Text>
          </Flex>
        ),
      },
      { key: 'place', title: t('energy.live.col.place'), render: (_, m) => `${buildings.get(m.building) ?? m.building}${m.room ? ` · ${rooms.get(m.room) ?? m.room}` : ''}` },
      {
        key: 'power',
        title: t('energy.live.col.power'),
        align: 'right',
        render: (_, m) => {
          if (m.detector) return <span className="energy-num">—</span>;
          const p = value(m.values.power_active_total, 0);
          return <span className="energy-num">{p.text === '—' ? '—' : t('energy.kw', { value: kw(Number(p.text)) })}</span>;
        },
      },
      {
        key: 'voltage',
        title: t('energy.live.col.voltage'),
        align: 'right',
        render: (_, m) => {
          const phases = ['voltage_l1', 'voltage_l2', 'voltage_l3'].filter((p) => m.values[p]);
          const shown = phases.length ? phases.map((p) => value(m.values[p]).text).join(' / ') : value(m.values.voltage).text;
          return <span className="energy-num">{shown === '—' ? '—' : `${shown} V`}</span>;
        },
      },
      {
        key: 'current',
        title: t('energy.live.col.current'),
        align: 'right',
        render: (_, m) => {
          const phases = ['current_l1', 'current_l2', 'current_l3'].filter((p) => m.values[p]);
          const shown = phases.length ? phases.map((p) => value(m.values[p], 2).text).join(' / ') : value(m.values.current, 2).text;
          return <span className="energy-num">{shown === '—' ? '—' : `${shown} A`}</span>;
        },
      },
      {
        // A fire/safety detector measures residual (leakage) current, not power.
        key: 'leakage',
        title: t('energy.live.col.leakage'),
        align: 'right',
        render: (_, m) => {
          if (!m.detector) return <span className="energy-num">—</span>;
          const residual = Object.entries(m.values).find(([p]) => p.startsWith('residual') || p.startsWith('leakage'))?.[1];
          const v = value(residual, 0);
          return <span className="energy-num">{v.text === '—' ? '—' : `${v.text} mA`}</span>;
        },
      },
      {
        key: 'energy',
        title: t('energy.live.col.energy'),
        align: 'right',
        render: (_, m) => <span className="energy-num">{m.values.energy_active_import_total ? t('energy.kwh', { value: value(m.values.energy_active_import_total, 2).text }) : '—'}</span>,
      },
      {
        key: 'status',
        title: t('energy.live.col.status'),
        render: (_, m) => {
          const flagged = Object.values(m.values).find((v) => v.quality !== 'good');
          return (
            <Flex gap={4} wrap>
              <Badge
                data-testid={`meter-status-${m.id}`}
                status={m.reachable === false ? 'error' : m.stale ? 'warning' : 'success'}
                text={t(m.reachable === false ? 'energy.live.offline' : m.stale ? 'energy.live.stale' : 'energy.live.online')}
              />
              {m.detector && <Tag color="volcano">{t('energy.live.detector')}</Tag>}
              {flagged && (
                <Tooltip title={flagged.raw}>
                  <Tag color="orange">{t('energy.live.flagged', { quality: flagged.quality })}</Tag>
                </Tooltip>
              )}
            </Flex>
          );
        },
      },
    ],
    [t, rooms, buildings],
  );

  if (live.error?.code === 'energy.not_running') return <Alert type="info" showIcon message={t('energy.notRunning')} />;
  return (
    <Flex vertical gap="middle" data-testid="energy-live">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.live')}
      </Typography.Title>
      {activeAlarms > 0 && (
        <Alert type="error" showIcon data-testid="energy-alarm-banner" message={t('energy.live.openAlarms', { count: activeAlarms })} action={<a href="#/energy/alarms">{t('energy.live.showAlarms')}</a>} />
      )}
      {(overview.data?.issues.length ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          message={t('energy.live.issues')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {overview.data!.issues.map((i) => (
                <li key={i.subject + i.code}>{i.text[locale]}</li>
              ))}
            </ul>
          }
        />
      )}
      {live.error && live.error.code !== 'energy.not_running' && <Alert type="error" showIcon message={live.error.text[locale]} />}
      <Card>
        <Statistic title={t('energy.live.campus')} value={live.data ? kw(live.data.campusPowerW) : '—'} suffix="kW" data-testid="campus-power" />
      </Card>
      <div className="energy-buildings">
        {(live.data?.buildings ?? []).map((b) => (
          <Card key={b.id} size="small" data-testid={`building-${b.id}`} title={b.name} extra={<Tag color={b.inHours ? 'green' : 'default'}>{t(b.inHours ? 'energy.live.inHours' : 'energy.live.afterHours')}</Tag>}>
            <div className="energy-building-power" data-testid={`building-power-${b.id}`}>
              {b.powerW === null ? t('energy.live.noData') : t('energy.kw', { value: kw(b.powerW) })}
            </div>
            <Typography.Text type="secondary">{t('energy.live.meters', { fresh: b.fresh, meters: b.meters })}</Typography.Text>
          </Card>
        ))}
      </div>
      <Card>
        <EnergyChart option={chart} height={260} testId="live-chart" />
      </Card>
      <Card title={t('energy.live.metersTitle')}>
        <ResponsiveTable<Meter> rowKey="id" size="small" columns={columns} dataSource={live.data?.meters ?? []} loading={live.loading} pagination={false} scroll={{ x: 'max-content' }} data-testid="meter-table" />
      </Card>
    </Flex>
  );
}
