import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Modal, Space, Spin, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import { EditOutlined } from '@ant-design/icons';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { absoluteTime, relativeTime } from '../../format/time';
import { useNow } from '../../format/useNow';
import { useLocale } from '../../i18n/locale';
import { endpointsApi, type Agent, type PolicyChange, type PolicyVersion } from './api';
import { targetLabel } from './labels';
import { PolicyDiffList } from './PolicyDiffList';
import { PolicyEditor } from './PolicyEditor';
import type { EdgeList } from './useEdgeList';

/** USB 策略: every version pushed, to whom, and how far it has rolled out. */
export function PoliciesTab({ list, agents }: { list: EdgeList<PolicyVersion>; agents: Agent[] }) {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const now = useNow();
  const [editing, setEditing] = useState<PolicyVersion | null>(null);
  const [diff, setDiff] = useState<{ from: number; to: number; changes: PolicyChange[] | null; error: ApiError | null } | null>(null);
  const versions = list.items;

  const showDiff = (from: number, to: number) => {
    setDiff({ from, to, changes: null, error: null });
    endpointsApi.diff(api, from, to).then(
      (changes) => setDiff({ from, to, changes, error: null }),
      (error: ApiError) => setDiff({ from, to, changes: [], error }),
    );
  };

  const columns = useMemo<TableColumnsType<PolicyVersion>>(
    () => [
      { key: 'version', title: t('panel.endpoints.col.version'), width: 90, render: (_, v) => <Typography.Text strong data-testid={`policy-version-${v.version}`}>v{v.version}</Typography.Text> },
      { key: 'target', title: t('panel.endpoints.col.target'), render: (_, v) => <Tag color={v.target.scope === 'all' ? 'blue' : v.target.scope === 'group' ? 'purple' : 'cyan'}>{targetLabel(t, v.target)}</Tag> },
      {
        key: 'content',
        title: t('panel.endpoints.col.content'),
        render: (_, v) => (
          <Flex vertical>
            <Space size={4} wrap>
              {v.content.killSwitch && <Tag color="error">{t('panel.endpoints.killSwitchOn')}</Tag>}
              <span>{t(`panel.endpoints.default.${v.content.defaultAction}`)}</span>
            </Space>
            <Typography.Text type="secondary">
              {t('panel.endpoints.contentSummary', { rules: v.content.rules.length, exceptions: v.content.exceptions.length })}
              {v.content.note ? ` · ${v.content.note}` : ''}
            </Typography.Text>
          </Flex>
        ),
      },
      {
        key: 'rollout',
        title: t('panel.endpoints.col.rollout'),
        render: (_, v) =>
          v.rollout.agents === 0 ? (
            <Typography.Text type="secondary">{t('panel.endpoints.rolloutNone')}</Typography.Text>
          ) : (
            <Space size={4} data-testid={`policy-rollout-${v.version}`} data-applied={v.rollout.applied} data-agents={v.rollout.agents}>
              <Tag color={v.rollout.applied === v.rollout.agents ? 'success' : 'processing'}>{t('panel.endpoints.rollout', { applied: v.rollout.applied, agents: v.rollout.agents })}</Tag>
              {v.rollout.refused > 0 && <Tag color="error">{t('panel.endpoints.rolloutRefused', { refused: v.rollout.refused })}</Tag>}
            </Space>
          ),
      },
      {
        key: 'created',
        title: t('panel.endpoints.col.createdBy'),
        responsive: ['md'],
        render: (_, v) => (
          <Flex vertical>
            <span>{v.createdBy === 'system' ? t('panel.endpoints.system') : v.createdBy}</span>
            <Tooltip title={absoluteTime(locale, v.createdAt)}>
              <Typography.Text type="secondary">{relativeTime(locale, v.createdAt, now)}</Typography.Text>
            </Tooltip>
          </Flex>
        ),
      },
      {
        key: 'actions',
        title: t('panel.endpoints.col.actions'),
        render: (_, v) => {
          const previous = versions.find((x) => x.version < v.version);
          return (
            <Space size={0} wrap>
              {previous && (
                <Button type="link" onClick={() => showDiff(previous.version, v.version)} data-testid={`policy-diff-${v.version}`}>
                  {t('panel.endpoints.action.diff')}
                </Button>
              )}
              <Button type="link" onClick={() => setEditing(v)} data-testid={`policy-edit-${v.version}`}>
                {t('panel.endpoints.action.editFrom')}
              </Button>
            </Space>
          );
        },
      },
    ],
    // showDiff only reads api and sets state, both stable.
    [locale, now, t, versions],
  );

  return (
    <Flex vertical gap="middle">
      <Flex justify="flex-end">
        <Button type="primary" icon={<EditOutlined />} disabled={versions.length === 0} onClick={() => setEditing(versions[0] ?? null)} data-testid="policy-new">
          {t('panel.endpoints.policies.new')}
        </Button>
      </Flex>
      {list.error && <Alert type="error" showIcon title={list.error.text[locale]} action={<Button onClick={list.reload}>{t('panel.action.retry')}</Button>} />}
      <ResponsiveTable<PolicyVersion>
        data-testid="policy-table"
        rowKey="version"
        size="middle"
        columns={columns}
        dataSource={versions}
        loading={list.loading}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('panel.endpoints.policies.empty') }}
      />
      <PolicyEditor
        base={editing}
        agents={agents}
        onClose={(pushed) => {
          setEditing(null);
          if (pushed) list.reload();
        }}
      />
      <Modal open={diff !== null} title={diff ? t('panel.endpoints.diff.title', { from: diff.from, to: diff.to }) : ''} footer={null} onCancel={() => setDiff(null)} width={640}>
        {diff?.error && <Alert type="error" showIcon title={diff.error.text[locale]} />}
        {diff && !diff.changes && <Spin />}
        {diff?.changes && !diff.error && <PolicyDiffList changes={diff.changes} empty={t('panel.endpoints.diff.none')} />}
      </Modal>
    </Flex>
  );
}
