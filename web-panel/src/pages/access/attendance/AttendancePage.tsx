import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, Button, Flex, Progress, Tag, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import { ReloadOutlined } from '@ant-design/icons';
import type { AttendanceStatus, ClassAttendance } from '@campus/protocol/access/index';
import { fetchAttendanceDay, fetchGatesOverview } from '../../../api/access';
import { useAccessText } from '../shared/useAccessText';
import { useLiveEvents, useLiveReconnect } from '../../../live/connection';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { ClassDrawer } from './ClassDrawer';
import { sortClasses, STATUS_ORDER, takesAttendance, turnoutPercent } from './rollup';
import '../access.css';

/**
 * Statuses change with time as well as with scans (not yet in → absent at each grade's
 * late threshold), so the roll-up is fetched again now and then.
 */
const REFRESH_MS = 60_000;
/** A morning rush brings a scan every second: refetch at most this often for them. */
const SCAN_REFRESH_MS = 2_000;

/** 今日考勤: who came, who is late or absent, per class, with the students a click away. */
export default function AttendancePage() {
  const { locale, t } = useAccessText();
  const day = useEdgeQuery((api) => fetchAttendanceDay(api), 'today');
  const { reload } = day;
  // Students' arrival gates are ids in the attendance answer; the guard knows gates by name.
  const places = useEdgeQuery(fetchGatesOverview, 'gates');
  const gateNames = useMemo(() => new Map((places.data?.gates ?? []).map((g) => [g.id, g.name])), [places.data]);
  const [openClass, setOpenClass] = useState<ClassAttendance | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(pending.current ?? undefined);
    };
  }, [reload]);

  useLiveEvents((e) => {
    if (!(e.type === 'access.decision' || e.type.startsWith('attendance.')) || pending.current !== null) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      reload();
    }, SCAN_REFRESH_MS);
  });
  useLiveReconnect(reload);

  const data = day.data;
  const classes = useMemo(() => sortClasses(data?.classes ?? [], locale), [data, locale]);

  const columns = useMemo<TableColumnsType<ClassAttendance>>(() => {
    const count = (status: AttendanceStatus): TableColumnsType<ClassAttendance>[number] => ({
      key: status,
      title: t(`panel.access.status.${status}`),
      align: 'center',
      width: 80,
      render: (_, c) => (
        <span className={`att-count${c.counts[status] === 0 ? ' att-count-zero' : ''}`} data-testid={`att-${c.classId}-${status}`}>
          {c.counts[status]}
        </span>
      ),
    });
    return [
      {
        key: 'class',
        title: t('panel.access.att.col.class'),
        render: (_, c) => (
          <Flex vertical>
            <span className="att-class">
              {c.gradeName} {c.className}
            </span>
            <Typography.Text type="secondary">
              {c.lateAfter ? `${t('panel.access.att.col.lateAfter')} ${c.lateAfter}` : t('panel.access.att.noTimetable')}
            </Typography.Text>
          </Flex>
        ),
      },
      {
        key: 'students',
        title: t('panel.access.att.students'),
        align: 'center',
        width: 90,
        render: (_, c) => <span className="att-count">{c.counts.students}</span>,
      },
      ...STATUS_ORDER.map(count),
      {
        key: 'turnout',
        title: t('panel.access.att.turnout'),
        width: 140,
        responsive: ['lg'],
        render: (_, c) => {
          const pct = turnoutPercent(c.counts);
          return pct === null ? '—' : <Progress percent={pct} size="small" status={pct < 100 ? 'active' : 'success'} />;
        },
      },
    ];
  }, [t]);

  const noSchool = data && !takesAttendance(data.dayKind);
  const turnout = data ? turnoutPercent(data.totals) : null;

  return (
    <Flex vertical gap="middle" data-testid="attendance-page">
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Flex align="center" gap="middle" wrap="wrap">
          <Typography.Title level={3} className="page-title">
            {t('panel.menu.access.attendance')}
          </Typography.Title>
          {data && (
            <Tag className="severity-tag" color={noSchool ? 'default' : 'blue'} data-testid="attendance-day">
              {data.date} · {t(`panel.access.dayKind.${data.dayKind}`)}
            </Tag>
          )}
        </Flex>
        <Button size="large" icon={<ReloadOutlined />} onClick={reload}>
          {t('panel.access.refresh')}
        </Button>
      </Flex>
      {day.error && <Alert type="error" showIcon title={day.error.text[locale]} action={<Button onClick={reload}>{t('panel.action.retry')}</Button>} />}
      {noSchool && <Alert type="info" showIcon title={t('panel.access.att.noSchool', { kind: t(`panel.access.dayKind.${data.dayKind}`) })} />}
      {data && (
        // On a day without attendance (weekend, holiday) nobody is absent and there is no turnout:
        // the tiles say "—" instead of "未到校 9" beside a green 0%.
        <div className={`att-tiles${noSchool ? ' att-tiles-off' : ''}`} data-testid="attendance-totals">
          <div className="att-tile">
            <span className="att-tile-label">{t('panel.access.att.students')}</span>
            <span className="att-tile-value" data-testid="att-total-students">
              {data.totals.students}
            </span>
          </div>
          <div className="att-tile att-tile-arrived">
            <span className="att-tile-label">{t('panel.access.att.turnout')}</span>
            <span className="att-tile-value" data-testid="att-total-turnout">
              {turnout === null || noSchool ? '—' : `${turnout}%`}
            </span>
          </div>
          {STATUS_ORDER.map((s) => (
            <div key={s} className={`att-tile att-tile-${s}`}>
              <span className="att-tile-label">{t(`panel.access.status.${s}`)}</span>
              <span className="att-tile-value" data-testid={`att-total-${s}`}>
                {noSchool ? '—' : data.totals[s]}
              </span>
            </div>
          ))}
        </div>
      )}
      {!noSchool && (
        <ResponsiveTable<ClassAttendance>
          data-testid="attendance-table"
          rowKey="classId"
          size="middle"
          columns={columns}
          dataSource={classes}
          loading={day.loading}
          pagination={false}
          sticky
          scroll={{ x: 'max-content' }}
          rowClassName={() => 'att-row'}
          onRow={(c) => ({ onClick: () => setOpenClass(c), 'data-testid': `att-class-${c.classId}` }) as HTMLAttributes<HTMLElement>}
          locale={{ emptyText: t('panel.access.att.empty') }}
        />
      )}
      <ClassDrawer summary={openClass} date={data?.date} gateNames={gateNames} onClose={() => setOpenClass(null)} />
    </Flex>
  );
}
