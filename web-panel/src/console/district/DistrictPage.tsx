import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Flex, Input, Space, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import type { Locale } from '@campus/protocol/i18n';
import type { DistrictReport, SchoolFigures } from '@campus/protocol/district/report';
import { useLocale } from '../../i18n/locale';
import { MonthChart, SchoolBars, UnavailableList, districtText, pct, type DistrictT } from './charts';

/** Where the page reads the report: the cloud's staff API (session cookie, same origin). */
export const DISTRICT_REPORT_PATH = '/api/staff/district/report';
/** Roles that see the page (the cloud answers 403 to others). */
export const DISTRICT_PAGE_ROLES = ['district_admin', 'district_viewer', 'school_admin'] as const;

/** The report itself, for given data (what the page shows once loaded; rendered by tests too). */
export function DistrictReportView({ report, t, locale }: { report: DistrictReport; t: DistrictT; locale: Locale }) {
  const percent = (v: number | null) => (v === null ? t('district.value.none') : t('district.value.percent', { value: pct(v)! }));
  const columns: TableColumnsType<SchoolFigures> = [
    { key: 'name', title: t('district.col.school'), dataIndex: 'name', fixed: 'left' },
    { key: 'students', title: t('district.col.students'), dataIndex: 'students', align: 'right' },
    { key: 'days', title: t('district.col.days'), dataIndex: 'schoolDays', align: 'right' },
    { key: 'attendance', title: t('district.col.attendance'), align: 'right', render: (_, s) => percent(s.attendanceRate), sorter: (a, b) => (a.attendanceRate ?? -1) - (b.attendanceRate ?? -1) },
    { key: 'late', title: t('district.col.late'), align: 'right', render: (_, s) => percent(s.lateRate) },
    { key: 'absence', title: t('district.col.absence'), align: 'right', render: (_, s) => percent(s.absenceRate) },
    { key: 'gate', title: t('district.col.gate'), dataIndex: 'gateIncidents', align: 'right' },
    { key: 'energy', title: t('district.col.energy'), dataIndex: 'energyKwh', align: 'right' },
    { key: 'perPupil', title: t('district.col.perPupil'), align: 'right', render: (_, s) => s.energyKwhPerPupil ?? t('district.value.none') },
    { key: 'after', title: t('district.col.afterHours'), align: 'right', render: (_, s) => percent(s.afterHoursShare) },
    { key: 'usb', title: t('district.col.usb'), dataIndex: 'usbBlocked', align: 'right' },
    { key: 'bus', title: t('district.col.bus'), align: 'right', render: (_, s) => percent(s.busPunctuality) },
    { key: 'repairs', title: t('district.col.repairs'), align: 'right', render: (_, s) => `${s.repairsDone}/${s.repairsOpened}` },
    { key: 'repairRating', title: t('district.col.repairRating'), align: 'right', render: (_, s) => (s.repairRating === null ? t('district.value.none') : s.repairRating.toFixed(1)) },
  ];
  const total = report.total;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Flex wrap gap={16} data-testid="district-kpis">
        <Statistic title={t('district.kpi.schools')} value={total.schools} />
        <Statistic title={t('district.kpi.students')} value={total.students} />
        <Statistic title={t('district.kpi.attendance')} value={percent(total.attendanceRate)} />
        <Statistic title={t('district.kpi.late')} value={percent(total.lateRate)} />
        <Statistic title={t('district.kpi.absence')} value={percent(total.absenceRate)} />
        <Statistic title={t('district.kpi.gate')} value={total.gateIncidents} />
        <Statistic title={t('district.kpi.energy')} value={t('district.value.kwh', { value: total.energyKwh })} />
        <Statistic title={t('district.kpi.afterHours')} value={percent(total.afterHoursShare)} />
        <Statistic title={t('district.kpi.usb')} value={total.usbBlocked} />
      </Flex>
      {report.schools.length === 0 ? <Alert type="info" message={t('district.page.empty')} /> : null}
      <Flex wrap gap={16}>
        <Card size="small" title={t('district.chart.attendance')} style={{ flex: '1 1 320px' }}>
          <SchoolBars report={report} t={t} metric="attendance" />
        </Card>
        <Card size="small" title={t('district.chart.energy')} style={{ flex: '1 1 320px' }}>
          <SchoolBars report={report} t={t} metric="energy" />
        </Card>
      </Flex>
      <Card size="small" title={t('district.chart.months')}>
        <MonthChart months={report.months} t={t} />
      </Card>
      <Table<SchoolFigures> rowKey="schoolId" size="small" columns={columns} dataSource={report.schools} pagination={{ pageSize: 50, hideOnSinglePage: true }} scroll={{ x: 'max-content' }} />
      <Alert
        type="warning"
        showIcon
        message={t('district.page.unavailable')}
        description={
          <UnavailableList report={report} locale={locale} />
        }
      />
      <Typography.Text type="secondary">{t('district.page.countsOnly')}</Typography.Text>
    </Space>
  );
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * 区域数据总览 — the district view: attendance, late and absence rates, gate incidents,
 * energy per school and per pupil, after-hours energy and USB incidents across the
 * caller's schools, with an Excel export. For the console to register (roles:
 * DISTRICT_PAGE_ROLES); it reads the cloud's staff API with the session cookie.
 */
export default function DistrictPage({ fetchImpl = fetch }: { fetchImpl?: typeof fetch } = {}) {
  const { locale } = useLocale();
  const t = useMemo(() => districtText(locale), [locale]);
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * 86_400_000)));
  const [state, setState] = useState<{ report: DistrictReport | null; error: string | null; loading: boolean }>({ report: null, error: null, loading: true });
  const query = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

  const load = useCallback(async () => {
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const res = await fetchImpl(DISTRICT_REPORT_PATH + query, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      const body = (await res.json()) as DistrictReport & { error?: { message: Record<Locale, string> } };
      if (!res.ok) throw new Error(body.error?.message[locale] ?? `HTTP ${res.status}`);
      setState({ report: body, error: null, loading: false });
    } catch (err) {
      setState({ report: null, error: (err as Error).message, loading: false });
    }
  }, [fetchImpl, query, locale]);

  // On open, and again when the range changes (the button reloads the same range).
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="district-page">
      <Typography.Title level={3}>{t('district.page.title')}</Typography.Title>
      <Flex wrap gap={8} align="end">
        <label>
          {t('district.page.from')}
          <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} aria-label={t('district.page.from')} />
        </label>
        <label>
          {t('district.page.to')}
          <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} aria-label={t('district.page.to')} />
        </label>
        <Button type="primary" onClick={() => void load()} loading={state.loading}>
          {t('district.page.refresh')}
        </Button>
        <Button href={`${DISTRICT_REPORT_PATH}/export${query}&format=xlsx`} data-testid="district-export">
          {t('district.page.export')}
        </Button>
      </Flex>
      {state.error ? <Alert type="error" message={t('district.page.failed', { message: state.error })} /> : null}
      {state.loading && !state.report ? <Typography.Text>{t('district.page.loading')}</Typography.Text> : null}
      {state.report ? <DistrictReportView report={state.report} t={t} locale={locale} /> : null}
    </Space>
  );
}
