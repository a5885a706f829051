import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Input, Modal, Space, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { endpointsApi, type DeviceRequest } from './api';
import { GrantModal } from './GrantModal';
import { classesLabel, deviceLabel } from './labels';
import type { EdgeList } from './useEdgeList';

const STATUS_COLOURS = { pending: 'processing', approved: 'success', denied: 'default' } as const;

/** 设备申请: a teacher at a PC asks for a drive; IT approves for a while, for good, or refuses. */
export function RequestsTab({ list }: { list: EdgeList<DeviceRequest> }) {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const now = useNow();
  const [approving, setApproving] = useState<DeviceRequest | null>(null);
  const [denying, setDenying] = useState<DeviceRequest | null>(null);
  const [denyNote, setDenyNote] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  // Waiting ones first, then the newest.
  const requests = useMemo(() => [...list.items].sort((a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || b.requestedAt - a.requestedAt), [list.items]);

  const columns = useMemo<TableColumnsType<DeviceRequest>>(
    () => [
      {
        key: 'time',
        title: t('panel.endpoints.col.time'),
        width: 120,
        render: (_, r) => <Tooltip title={absoluteTime(locale, r.requestedAt)}>{relativeTime(locale, r.requestedAt, now)}</Tooltip>,
      },
      {
        key: 'pc',
        title: t('panel.endpoints.col.pc'),
        render: (_, r) => (
          <Flex vertical>
            <span>{r.agentName ?? r.agentId}</span>
            <Typography.Text type="secondary">{r.agentId}</Typography.Text>
          </Flex>
        ),
      },
      { key: 'who', title: t('panel.endpoints.col.requestedBy'), render: (_, r) => r.requestedBy },
      {
        key: 'device',
        title: t('panel.endpoints.col.device'),
        render: (_, r) => (
          <Flex vertical>
            <span>{deviceLabel(r.device)}</span>
            <Typography.Text type="secondary">{classesLabel(locale, r.device.interfaceClasses)}</Typography.Text>
          </Flex>
        ),
      },
      { key: 'why', title: t('panel.endpoints.col.reason'), responsive: ['md'], render: (_, r) => r.note || '—' },
      {
        key: 'duration',
        title: t('panel.endpoints.col.duration'),
        render: (_, r) => (r.durationMinutes === null ? t('panel.endpoints.permanently') : t('panel.endpoints.minutes', { minutes: r.durationMinutes })),
      },
      {
        key: 'status',
        title: t('panel.endpoints.col.state'),
        render: (_, r) => (
          <Tooltip title={r.decisionNote ?? (r.decidedBy ? `${r.decidedBy}` : undefined)}>
            <Tag color={STATUS_COLOURS[r.status]} data-testid={`request-status-${r.id}`} data-status={r.status}>
              {t(`panel.endpoints.request.${r.status}`)}
            </Tag>
          </Tooltip>
        ),
      },
      {
        key: 'actions',
        title: t('panel.endpoints.col.actions'),
        render: (_, r) =>
          r.status === 'pending' && (
            <Space size={0}>
              <Button type="link" onClick={() => setApproving(r)} data-testid={`request-approve-${r.id}`}>
                {t('panel.endpoints.action.approve')}
              </Button>
              <Button type="link" danger onClick={() => (setDenying(r), setDenyNote(''))} data-testid={`request-deny-${r.id}`}>
                {t('panel.endpoints.action.deny')}
              </Button>
            </Space>
          ),
      },
    ],
    [locale, now, t],
  );

  return (
    <Flex vertical gap="middle">
      {(error ?? list.error) && <Alert type="error" showIcon title={(error ?? list.error)!.text[locale]} action={<Button onClick={list.reload}>{t('panel.action.retry')}</Button>} />}
      <ResponsiveTable<DeviceRequest> cardTitle="device"
        data-testid="request-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={requests}
        loading={list.loading}
        pagination={{ pageSize: 30, hideOnSinglePage: true }}
        locale={{ emptyText: t('panel.endpoints.requests.empty') }}
      />
      <GrantModal
        open={approving !== null}
        agentId={approving?.agentId ?? ''}
        device={approving?.device ?? null}
        title={approving ? t('panel.endpoints.approve.title', { requestedBy: approving.requestedBy }) : undefined}
        defaultMinutes={approving?.durationMinutes ?? 120}
        askGrantedTo={false}
        onClose={() => setApproving(null)}
        onSubmit={async (c) => {
          await endpointsApi.approve(api, approving!.id, c.kind === 'temporary' ? { kind: 'temporary', durationMinutes: c.durationMinutes } : { kind: 'permanent' });
          list.reload();
        }}
      />
      <Modal
        open={denying !== null}
        title={t('panel.endpoints.action.deny')}
        okText={t('panel.endpoints.action.deny')}
        okButtonProps={{ danger: true, 'data-testid': 'deny-submit' }}
        cancelText={t('panel.endpoints.action.cancel')}
        onCancel={() => setDenying(null)}
        onOk={() => {
          const r = denying!;
          setDenying(null);
          setError(null);
          endpointsApi.deny(api, r.id, denyNote.trim() || undefined).then(list.reload, (err: ApiError) => setError(err));
        }}
        destroyOnHidden
      >
        <Input.TextArea value={denyNote} onChange={(e) => setDenyNote(e.target.value)} maxLength={200} placeholder={t('panel.endpoints.deny.note')} />
      </Modal>
    </Flex>
  );
}
