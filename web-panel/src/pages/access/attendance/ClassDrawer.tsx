import { useMemo, useState } from 'react';
import { Alert, Drawer, Flex, Segmented, Tag, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import type { AttendanceStatus, ClassAttendance, StudentAttendance } from '@campus/protocol/access/index';
import { fetchClassAttendance } from '../../../api/access';
import { useAccessText } from '../shared/useAccessText';
import { useLiveReconnect } from '../../../live/connection';
import { useSchoolTime } from '../shared/useSchoolTime';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { sortStudents, STATUS_COLOURS, STATUS_ORDER, withStatus } from './rollup';

const ALL = 'all';

/** The students of one class today, those who need a call first. */
export function ClassDrawer(props: { summary: ClassAttendance | null; date: string | undefined; gateNames: ReadonlyMap<string, string>; onClose: () => void }) {
  const { summary } = props;
  const { locale, t } = useAccessText();
  const { clock } = useSchoolTime();
  const classId = summary?.classId ?? null;
  const detail = useEdgeQuery(
    (api) => (classId === null ? Promise.resolve(null) : fetchClassAttendance(api, classId, props.date)),
    `${classId}|${props.date ?? ''}`,
  );
  useLiveReconnect(detail.reload);
  const [filter, setFilter] = useState<AttendanceStatus | typeof ALL>(ALL);

  const students = useMemo(
    () => sortStudents(withStatus(detail.data?.students ?? [], filter === ALL ? null : filter)),
    [detail.data, filter],
  );
  const counts = detail.data?.counts ?? summary?.counts;

  const columns = useMemo<TableColumnsType<StudentAttendance>>(
    () => [
      {
        key: 'name',
        title: t('panel.access.att.col.name'),
        render: (_, s) => (
          <Flex vertical>
            <span className="att-class">{s.name}</span>
            <Typography.Text type="secondary">
              {s.personId} · {t(s.boarder ? 'panel.access.att.boarder' : 'panel.access.att.dayStudent')}
            </Typography.Text>
          </Flex>
        ),
      },
      {
        key: 'status',
        title: t('panel.access.att.col.status'),
        width: 120,
        render: (_, s) => (
          <Tag color={STATUS_COLOURS[s.status]} className="severity-tag" data-testid={`student-status-${s.personId}`} data-status={s.status}>
            {t(`panel.access.status.${s.status}`)}
          </Tag>
        ),
      },
      {
        key: 'arrived',
        title: t('panel.access.att.col.arrivedAt'),
        width: 120,
        render: (_, s) => (s.arrivedAt === null ? '—' : clock(s.arrivedAt)),
      },
      {
        key: 'gate',
        title: t('panel.access.att.col.gate'),
        width: 110,
        responsive: ['md'],
        render: (_, s) => (s.arrivedGate === null ? '—' : (props.gateNames.get(s.arrivedGate) ?? s.arrivedGate)),
      },
      {
        key: 'left',
        title: t('panel.access.att.col.leftAt'),
        width: 120,
        render: (_, s) => (s.leftAt === null ? '—' : clock(s.leftAt)),
      },
    ],
    [clock, props.gateNames, t],
  );

  return (
    <Drawer
      open={summary !== null}
      onClose={() => {
        setFilter(ALL);
        props.onClose();
      }}
      size="large"
      title={summary ? `${summary.gradeName} ${summary.className}` : ''}
      destroyOnHidden
    >
      <Flex vertical gap="middle" data-testid="class-drawer">
        {detail.error && <Alert type="error" showIcon title={detail.error.text[locale]} />}
        {counts && (
          <Segmented
            data-testid="class-status-filter"
            value={filter}
            onChange={(v) => setFilter(v as AttendanceStatus | typeof ALL)}
            options={[
              { value: ALL, label: t('panel.access.att.all', { count: counts.students }) },
              ...STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => ({ value: s, label: `${t(`panel.access.status.${s}`)} ${counts[s]}` })),
            ]}
          />
        )}
        <ResponsiveTable<StudentAttendance>
          data-testid="class-students"
          rowKey="personId"
          size="middle"
          columns={columns}
          dataSource={students}
          loading={detail.loading}
          pagination={false}
        />
      </Flex>
    </Drawer>
  );
}
