import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Descriptions, Drawer, Input, List, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { TripReport, TripReportSummary } from '@campus/protocol/bus/reports';
import { ApiError } from '../api';
import { useConsole } from '../session';
import { useBusT } from './messages';

/** What the cloud answers (one shape: protocol's). */
type TripSummary = TripReportSummary;
type TripDetail = TripReport;

/** protocol's LATE_MINUTES (the panel imports only types from protocol). */
const LATE = 5;
const hm = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleTimeString('zh-CN', { hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }));
const ymd = (ms: number) => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

/** Trip reports (行程报表): list over dates, each trip's stops scheduled vs actual, Excel export. */
export default function BusReportsPage() {
  const { api, schoolId } = useConsole();
  const { t, locale } = useBusT();
  const [from, setFrom] = useState(() => ymd(Date.now() - 6 * 86_400_000));
  const [until, setUntil] = useState(() => ymd(Date.now()));
  const [trips, setTrips] = useState<TripSummary[]>([]);
  const [detail, setDetail] = useState<TripDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  // The dates are read when the button is pressed (and once at first), not on every keystroke.
  const range = useRef({ from, until });
  range.current = { from, until };
  const load = useCallback(async () => {
    if (!schoolId) return;
    const { from, until } = range.current;
    setLoading(true);
    try {
      setTrips((await api.get<{ trips: TripSummary[] }>(`/schools/${schoolId}/bus-reports?from=${encodeURIComponent(from)}&until=${encodeURIComponent(until)}`)).trips);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    } finally {
      setLoading(false);
    }
  }, [api, schoolId, locale]);
  useEffect(() => void load(), [load]);

  const open = async (tripId: string) => {
    try {
      setDetail((await api.get<{ trip: TripDetail }>(`/schools/${schoolId}/bus-reports/${encodeURIComponent(tripId)}`)).trip);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    }
  };
  const direction = (d: string) => t(d === 'afternoon' ? 'cbus.direction.afternoon' : 'cbus.direction.morning');
  const check = (s: TripSummary) => (
    <Space size={4} wrap>
      {s.checkedAt ? <span>{s.checkMinutes === null ? hm(s.checkedAt) : t('cbus.rep.check_after', { time: hm(s.checkedAt), minutes: s.checkMinutes })}</span> : <Tag color="orange">{t('cbus.rep.check_none')}</Tag>}
      {s.checkMissed && <Tag color="red">{t('cbus.rep.check_missed')}</Tag>}
    </Space>
  );

  const columns: ColumnsType<TripSummary> = [
    { key: 'date', title: t('cbus.rep.col.date'), dataIndex: 'date' },
    { key: 'route', title: t('cbus.rep.col.route'), render: (_, s) => <a onClick={() => void open(s.tripId)}>{s.routeName}</a> },
    { key: 'direction', title: t('cbus.rep.col.direction'), render: (_, s) => direction(s.direction) },
    {
      key: 'riders',
      title: t('cbus.rep.col.riders'),
      render: (_, s) => <span className={s.expected !== null && s.boarded < s.expected ? 'cbus-short' : ''}>{`${s.boarded} / ${s.expected ?? '—'}`}</span>,
    },
    { key: 'late', title: t('cbus.rep.col.late'), render: (_, s) => (s.stopsLate ? <Tag color="orange">{s.stopsLate}</Tag> : 0) },
    { key: 'over', title: t('cbus.rep.col.overspeed'), render: (_, s) => (s.overspeeds ? <Tag color="red">{`${s.overspeeds} · ${s.maxSpeedKmh ?? ''} km/h`}</Tag> : 0) },
    { key: 'check', title: t('cbus.rep.col.check'), render: (_, s) => (s.closedAt === null && !s.checkedAt ? <Tag>{t('cbus.rep.open')}</Tag> : check(s)) },
  ];

  return (
    <div data-testid="bus-reports">
      <Typography.Title level={4}>{t('cbus.rep.title')}</Typography.Title>
      <Space style={{ marginBottom: 16 }} wrap>
        <label>
          {t('cbus.rep.from')} <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: 160 }} data-testid="rep-from" />
        </label>
        <label>
          {t('cbus.rep.until')} <Input type="date" value={until} onChange={(e) => setUntil(e.target.value)} style={{ width: 160 }} data-testid="rep-until" />
        </label>
        <Button type="primary" onClick={() => void load()}>
          {t('cbus.rep.load')}
        </Button>
        <Button href={`/api/staff/schools/${schoolId ?? ''}/bus-report-export?from=${encodeURIComponent(from)}&until=${encodeURIComponent(until)}`} download data-testid="rep-export">
          {t('cbus.rep.export')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="report-error" />}
      <Table<TripSummary> rowKey="tripId" size="middle" loading={loading} columns={columns} dataSource={trips} pagination={{ pageSize: 50 }} scroll={{ x: true }} />
      <Drawer open={detail !== null} width={720} onClose={() => setDetail(null)} title={detail ? t('cbus.rep.detail', { route: detail.routeName, date: detail.date }) : ''}>
        {detail && (
          <Space direction="vertical" style={{ width: '100%' }} data-testid="trip-detail">
            <Descriptions size="small" column={2}>
              <Descriptions.Item label={t('cbus.rep.col.direction')}>{direction(detail.direction)}</Descriptions.Item>
              <Descriptions.Item label={t('cbus.rep.col.riders')}>{`${detail.boarded} / ${detail.expected ?? '—'}`}</Descriptions.Item>
              <Descriptions.Item label={t('cbus.rep.col.check')}>{check(detail)}</Descriptions.Item>
            </Descriptions>
            <Table
              size="small"
              rowKey="stopId"
              pagination={false}
              dataSource={detail.stops}
              rowClassName={(s) => (s.delayMin !== null && s.delayMin >= LATE ? 'cbus-late' : '')}
              columns={[
                { key: 'stop', title: t('cbus.rep.col.stop'), dataIndex: 'stopName' },
                { key: 'sch', title: t('cbus.rep.col.scheduled'), render: (_, s) => s.scheduled ?? '—' },
                { key: 'arr', title: t('cbus.rep.col.arrived'), render: (_, s) => hm(s.arrivedAt) },
                { key: 'dep', title: t('cbus.rep.col.departed'), render: (_, s) => hm(s.departedAt) },
                { key: 'delay', title: t('cbus.rep.col.delay'), render: (_, s) => (s.delayMin === null ? '—' : s.delayMin >= LATE ? <Tag color="orange">{s.delayMin}</Tag> : s.delayMin) },
                { key: 'ba', title: t('cbus.rep.col.board_alight'), render: (_, s) => `${s.boarded} / ${s.alighted}` },
              ]}
            />
            <Typography.Text strong>{t('cbus.rep.overspeeds')}</Typography.Text>
            <List size="small" dataSource={detail.overspeed} locale={{ emptyText: t('cbus.rep.none') }} renderItem={(o) => <List.Item>{t('cbus.rep.overspeed_row', { time: hm(o.at), speed: o.speedKmh, limit: o.limitKmh, max: o.maxKmh ?? o.speedKmh })}</List.Item>} />
            <Typography.Text strong>{t('cbus.rep.refusals')}</Typography.Text>
            <List size="small" dataSource={detail.refused} locale={{ emptyText: t('cbus.rep.none') }} renderItem={(r) => <List.Item>{t('cbus.rep.refused_row', { time: hm(r.at), name: r.personName ?? '', reason: r.text[locale] })}</List.Item>} />
          </Space>
        )}
      </Drawer>
    </div>
  );
}
