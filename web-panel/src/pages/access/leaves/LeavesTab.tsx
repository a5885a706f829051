import { useState } from 'react';
import { Alert, Button, Flex, message, Tag, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import type { LeaveView } from '@campus/protocol/access/index';
import { cancelLeave, fetchLeaves } from '../../../api/access';
import type { ApiError } from '../../../api/client';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { useSession } from '../../../auth/session';
import { useLiveEvents } from '../../../live/connection';
import { fullDateTime } from '../shared/format';
import { ReasonDialog } from '../shared/ReasonDialog';
import { useAccessText } from '../shared/useAccessText';
import { LeaveDialog } from './LeaveDialog';
import { PhaseTag } from './PhaseTag';
import { todayAndLater } from './schedule';

const CANCEL_PRESETS = ['panel.access.leave.preset.back', 'panel.access.leave.preset.withdrawn', 'panel.access.leave.preset.mistake'] as const;
const LEAVE_EVENT = 'access.leave';

export interface LeavesTabProps {
  timeZone: string;
  /** The school day as the edge sees it (YYYY-MM-DD). */
  today: string;
  /** Set once the edge said the cloud owns leaves: nothing here may change them. */
  onRefused: (err: ApiError) => void;
}

/** Today's and later leaves: who, which class, when, why, who approved and registered it. */
export function LeavesTab(props: LeavesTabProps) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const [notice, noticeHolder] = message.useMessage();
  const leaves = useEdgeQuery((api) => fetchLeaves(api, props.today), `leaves:${props.today}`, { reloadOnReconnect: true });
  const [registering, setRegistering] = useState(false);
  const [cancelling, setCancelling] = useState<LeaveView | null>(null);
  // Another desk (or the cloud) registered or cancelled one: show it without a reload.
  useLiveEvents((e) => {
    if (e.type === LEAVE_EVENT) leaves.reload();
  });

  const now = Date.now();
  const shown = todayAndLater(leaves.data ?? [], (l) => ({ from: l.startsAt, until: l.endsAt }), props.today, props.timeZone);
  const when = (from: number, until: number) => t('panel.access.lp.window', { from: fullDateTime(from, props.timeZone), until: fullDateTime(until, props.timeZone) });

  async function cancel(why: string) {
    if (!cancelling) return;
    try {
      const leave = await cancelLeave(api, cancelling.id, why);
      notice.success(t('panel.access.leave.cancelled', { name: leave.personName }));
      leaves.reload();
    } catch (err) {
      props.onRefused(err as ApiError);
      throw err;
    }
  }

  const columns: TableColumnsType<LeaveView> = [
    {
      key: 'student',
      title: t('panel.access.leave.student'),
      render: (_, l) => (
        <span data-testid={`leave-student-${l.id}`}>
          <Typography.Text strong>{l.personName}</Typography.Text> <Typography.Text type="secondary">{l.personId}</Typography.Text>
        </span>
      ),
    },
    { key: 'class', title: t('panel.access.leave.class'), render: (_, l) => l.className ?? '—' },
    {
      key: 'window',
      title: t('panel.access.leave.window'),
      render: (_, l) => (
        <Flex vertical gap={4}>
          <span data-testid={`leave-window-${l.id}`}>{when(l.startsAt, l.endsAt)}</span>
          <PhaseTag from={l.startsAt} until={l.endsAt} now={now} />
        </Flex>
      ),
    },
    { key: 'reason', title: t('panel.access.leave.reason'), dataIndex: 'reason' },
    { key: 'approvedBy', title: t('panel.access.leave.approvedBy'), dataIndex: 'approvedBy' },
    {
      key: 'source',
      title: t('panel.access.leave.source'),
      render: (_, l) => <Tag color={l.source === 'cloud' ? 'purple' : 'blue'}>{t(`panel.access.leave.source.${l.source}`)}</Tag>,
    },
    { key: 'createdBy', title: t('panel.access.leave.createdBy'), dataIndex: 'createdBy' },
    {
      key: 'actions',
      title: t('panel.access.leave.actions'),
      render: (_, l) => (
        // Ownership is per record: a leave the cloud sent is cancelled in the cloud; one registered here is the edge's own.
        <Button
          danger
          icon={<StopOutlined />}
          disabled={l.source === 'cloud'}
          title={l.source === 'cloud' ? t('panel.access.leave.cloudHint') : undefined}
          onClick={() => setCancelling(l)}
          data-testid={`leave-cancel-${l.id}`}
        >
          {t('panel.access.leave.cancel')}
        </Button>
      ),
    },
  ];

  return (
    <Flex vertical gap="middle" data-testid="leaves-tab">
      {noticeHolder}
      <Flex justify="flex-end">
        <Button size="large" type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="leave-new">
          {t('panel.access.leave.new')}
        </Button>
      </Flex>
      {leaves.error && <Alert type="error" showIcon title={leaves.error.text[locale]} action={<Button onClick={leaves.reload}>{t('panel.action.retry')}</Button>} />}
      <ResponsiveTable<LeaveView>
        data-testid="leave-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={shown}
        loading={leaves.loading}
        locale={{ emptyText: t('panel.access.leave.empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
      />
      <LeaveDialog
        open={registering}
        timeZone={props.timeZone}
        onClose={() => setRegistering(false)}
        onRegistered={(leave) => {
          notice.success(t('panel.access.leave.done', { name: leave.personName }));
          leaves.reload();
        }}
        onRefused={props.onRefused}
      />
      <ReasonDialog
        open={cancelling !== null}
        title={t('panel.access.leave.cancelTitle', { name: cancelling?.personName ?? '' })}
        presets={CANCEL_PRESETS}
        submitLabel={t('panel.access.leave.cancel')}
        danger
        onSubmit={cancel}
        onClose={() => setCancelling(null)}
        testId="leave-cancel-dialog"
      >
        {cancelling && (
          <Alert type="warning" showIcon title={t('panel.access.leave.cancelExplain', { name: cancelling.personName })} description={when(cancelling.startsAt, cancelling.endsAt)} />
        )}
      </ReasonDialog>
    </Flex>
  );
}
