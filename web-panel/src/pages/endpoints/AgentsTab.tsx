import { useCallback, useMemo, useState } from 'react';
import { Alert, Badge, Button, Flex, Modal, Popconfirm, Select, Space, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import { PlusOutlined } from '@ant-design/icons';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { endpointsApi, type Agent, type Provisioned } from './api';
import { ConfigFileResult } from './ConfigFileResult';
import { RegisterAgentModal, ID_PATTERN } from './RegisterAgentModal';
import type { EdgeList } from './useEdgeList';

const STATE_COLOURS = { applied: 'success', pending: 'processing', refused: 'error', none: 'default' } as const;

/** 终端: every registered PC, whether it is online, and which policy it really runs. */
export function AgentsTab({ list }: { list: EdgeList<Agent> }) {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const now = useNow();
  const [registering, setRegistering] = useState(false);
  const [editing, setEditing] = useState<Agent | null>(null);
  const [newGroups, setNewGroups] = useState<string[]>([]);
  const [issued, setIssued] = useState<Provisioned | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const agents = list.items;
  const knownGroups = useMemo(() => [...new Set(agents.flatMap((a) => a.groups))].sort(), [agents]);
  const online = agents.filter((a) => a.online).length;

  const { reload } = list;
  const act = useCallback(
    async (fn: () => Promise<unknown>) => {
      setError(null);
      try {
        await fn();
        reload();
      } catch (err) {
        setError(err as ApiError);
      }
    },
    [reload],
  );

  const columns = useMemo<TableColumnsType<Agent>>(
    () => [
      {
        key: 'status',
        title: t('panel.endpoints.col.status'),
        width: 120,
        render: (_, a) => (
          <Flex vertical gap={4}>
            <Badge status={a.online ? 'success' : 'default'} text={t(a.online ? 'panel.endpoints.online' : 'panel.endpoints.offline')} data-testid={`agent-online-${a.agentId}`} data-online={String(a.online)} />
            {a.silentSince !== null && <Tag color="warning">{t('panel.endpoints.silent')}</Tag>}
          </Flex>
        ),
      },
      {
        key: 'pc',
        title: t('panel.endpoints.col.pc'),
        render: (_, a) => (
          <Flex vertical>
            <span>{a.displayName}</span>
            <Typography.Text type="secondary">{a.agentId}</Typography.Text>
          </Flex>
        ),
      },
      { key: 'host', title: t('panel.endpoints.col.host'), responsive: ['md'], render: (_, a) => a.hostname ?? <Typography.Text type="secondary">—</Typography.Text> },
      { key: 'groups', title: t('panel.endpoints.col.groups'), render: (_, a) => a.groups.map((g) => <Tag key={g}>{g}</Tag>) },
      {
        key: 'policy',
        title: t('panel.endpoints.col.policy'),
        render: (_, a) => {
          const p = a.policy;
          const label =
            p.state === 'none' ? t('panel.endpoints.policy.none') : t(`panel.endpoints.policy.${p.state}`, { version: p.published ?? 0 });
          const hints = [
            p.version !== null && p.published !== null && p.version !== p.published ? t('panel.endpoints.policy.builtOn', { version: p.version }) : null,
            p.state !== 'applied' && p.applied !== null ? t('panel.endpoints.policy.running', { version: p.applied }) : null,
            p.ack?.detail ?? null,
          ].filter(Boolean);
          return (
            <Tooltip title={hints.length ? hints.join(' · ') : undefined}>
              <Space size={4} wrap>
                <Tag color={STATE_COLOURS[p.state]} data-testid={`agent-policy-${a.agentId}`} data-state={p.state} data-version={p.published ?? ''}>
                  {label}
                </Tag>
                {a.heartbeat?.killSwitch && <Tag color="error">{t('panel.endpoints.killSwitchOn')}</Tag>}
              </Space>
            </Tooltip>
          );
        },
      },
      {
        key: 'devices',
        title: t('panel.endpoints.col.devices'),
        responsive: ['lg'],
        render: (_, a) => (a.heartbeat ? t('panel.endpoints.devicesCount', { present: a.heartbeat.devicesPresent, blocked: a.heartbeat.devicesBlocked }) : '—'),
      },
      {
        key: 'heard',
        title: t('panel.endpoints.col.lastHeard'),
        responsive: ['md'],
        render: (_, a) =>
          a.lastHeardAt === null ? (
            <Typography.Text type="secondary">{t('panel.endpoints.never')}</Typography.Text>
          ) : (
            <Tooltip title={absoluteTime(locale, a.lastHeardAt)}>{relativeTime(locale, a.lastHeardAt, now)}</Tooltip>
          ),
      },
      {
        key: 'actions',
        title: t('panel.endpoints.col.actions'),
        render: (_, a) => (
          <Space size={0} wrap>
            <Button type="link" onClick={() => (setEditing(a), setNewGroups(a.groups))} data-testid={`agent-groups-${a.agentId}`}>
              {t('panel.endpoints.action.groups')}
            </Button>
            <Button type="link" onClick={() => void act(async () => setIssued(await endpointsApi.newCredentials(api, a.agentId)))}>
              {t('panel.endpoints.action.credentials')}
            </Button>
            <Popconfirm title={t('panel.endpoints.decommission.confirm', { name: a.displayName })} onConfirm={() => void act(() => endpointsApi.decommission(api, a.agentId))}>
              <Button type="link" danger>
                {t('panel.endpoints.action.decommission')}
              </Button>
            </Popconfirm>
          </Space>
        ),
      },
    ],
    [act, api, locale, now, t],
  );

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Typography.Text data-testid="agents-summary">
          <Badge status={online > 0 ? 'success' : 'default'} /> {t('panel.endpoints.summary', { online, total: agents.length })}
        </Typography.Text>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="register-agent">
          {t('panel.endpoints.agents.register')}
        </Button>
      </Flex>
      {(list.error ?? error) && (
        <Alert type="error" showIcon title={(error ?? list.error)!.text[locale]} action={<Button onClick={list.reload}>{t('panel.action.retry')}</Button>} />
      )}
      <ResponsiveTable<Agent> cardTitle="pc"
        data-testid="agent-table"
        rowKey="agentId"
        size="middle"
        columns={columns}
        dataSource={agents}
        loading={list.loading}
        pagination={false}
        locale={{ emptyText: t('panel.endpoints.agents.empty') }}
      />
      <RegisterAgentModal
        open={registering}
        groups={knownGroups}
        onClose={(changed) => {
          setRegistering(false);
          if (changed) list.reload();
        }}
      />
      <Modal open={issued !== null} title={issued ? t('panel.endpoints.config.title', { agentId: issued.config.agentId }) : ''} footer={null} onCancel={() => setIssued(null)} destroyOnHidden width={640}>
        {issued && <ConfigFileResult provisioned={issued} onDone={() => setIssued(null)} />}
      </Modal>
      <Modal
        open={editing !== null}
        title={editing ? t('panel.endpoints.groups.title', { name: editing.displayName }) : ''}
        okText={t('panel.endpoints.action.save')}
        cancelText={t('panel.endpoints.action.cancel')}
        okButtonProps={{ disabled: newGroups.some((g) => !ID_PATTERN.test(g)), 'data-testid': 'groups-save' }}
        onCancel={() => setEditing(null)}
        onOk={() => {
          const a = editing!;
          setEditing(null);
          void act(() => endpointsApi.updateAgent(api, a.agentId, { groups: newGroups }));
        }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('panel.endpoints.groups.hint')}</Typography.Paragraph>
        <Select mode="tags" value={newGroups} onChange={setNewGroups} style={{ width: '100%' }} options={knownGroups.map((g) => ({ value: g, label: g }))} data-testid="groups-select" />
      </Modal>
    </Flex>
  );
}
