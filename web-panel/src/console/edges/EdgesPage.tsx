import { useCallback, useEffect, useState } from 'react';
import { Alert, Card, Space, Table, Tag } from 'antd';
import { ApiError } from '../api';
import { subscribeLive } from '../../live/sse';
import { useConsoleT } from '../i18n';
import { useConsole, type MadeChange } from '../session';

export interface EdgeHealth {
  id: string;
  name: string;
  campus: string | null;
  site: string | null;
  disabled: boolean;
  lastSeenAt: number | null;
  applied: { cursor: number; at: number | null; behind: number };
  /** What the edge said of itself at its last feed request (absent before it has). */
  status?: { backlog: number | null; clockTrusted: boolean | null; version: string | null; at: number } | null;
}
interface EdgesAnswer {
  cursor: number;
  edges: EdgeHealth[];
}

const time = (ms: number | null | undefined, locale: string) => (ms ? new Date(ms).toLocaleString(locale) : null);

/**
 * Each edge's health (last contact, how far it has applied the change feed, its upload
 * backlog, clock and version) and, for every change made in this session, whether each
 * edge has applied it yet: a change's feed cursor ≤ the edge's applied cursor.
 */
export default function EdgesPage() {
  const { api, schoolId, changes } = useConsole();
  const { t, locale } = useConsoleT();
  const [data, setData] = useState<EdgesAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api.get<EdgesAnswer>(`/schools/${schoolId}/edges`));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    }
  }, [api, schoolId, locale]);
  useEffect(() => {
    void load();
    if (!schoolId) return;
    // Live from the cloud (any process's writes); polls only while the stream is down.
    return subscribeLive<EdgesAnswer>(`/api/staff/schools/${encodeURIComponent(schoolId)}/edges/live`, (v) => (setData(v), setError(null)), load);
  }, [load, schoolId]);

  const none = t('console.edges.unknown');
  const mine = changes.filter((c) => c.schoolId === schoolId);
  const statusOf = (c: MadeChange) =>
    (data?.edges ?? [])
      .filter((e) => !e.disabled)
      .map((e) =>
        e.applied.cursor >= c.cursor ? (
          <Tag color="green" key={e.id}>
            {t('console.writes.applied', { edge: e.name, time: time(e.applied.at, locale) ?? '' })}
          </Tag>
        ) : (
          <Tag color="orange" key={e.id}>
            {t('console.writes.pending', { edge: e.name })}
          </Tag>
        ),
      );

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<EdgeHealth>
        data-testid="edges-table"
        rowKey="id"
        loading={!data && !error}
        dataSource={data?.edges ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { title: t('console.edges.name'), key: 'name', render: (_, e) => <>{e.name} {e.disabled && <Tag>{t('console.edges.disabled')}</Tag>}</> },
          { title: t('console.edges.campus'), key: 'campus', render: (_, e) => e.campus ?? none },
          { title: t('console.edges.last_contact'), key: 'seen', render: (_, e) => time(e.lastSeenAt, locale) ?? t('console.edges.never') },
          {
            title: t('console.edges.applied'),
            key: 'applied',
            render: (_, e) => (
              <Space>
                <span>#{e.applied.cursor}</span>
                {e.applied.behind > 0 ? <Tag color="orange">{t('console.edges.behind', { count: e.applied.behind })}</Tag> : <Tag color="green">{t('console.edges.up_to_date')}</Tag>}
              </Space>
            ),
          },
          { title: t('console.edges.backlog'), key: 'backlog', render: (_, e) => e.status?.backlog ?? none },
          {
            title: t('console.edges.clock'),
            key: 'clock',
            render: (_, e) =>
              e.status?.clockTrusted == null ? none : e.status.clockTrusted ? <Tag color="green">{t('console.edges.clock_trusted')}</Tag> : <Tag color="red">{t('console.edges.clock_untrusted')}</Tag>,
          },
          { title: t('console.edges.version'), key: 'version', render: (_, e) => e.status?.version ?? none },
        ]}
      />
      <Card title={t('console.writes.title')} data-testid="write-status">
        {mine.length === 0 ? (
          t('console.writes.none')
        ) : (
          <Table<MadeChange>
            rowKey={(c) => `${c.cursor}-${c.what}`}
            size="small"
            pagination={false}
            dataSource={mine}
            columns={[
              { title: t('console.writes.what'), key: 'what', render: (_, c) => `${c.what} (#${c.cursor})` },
              { title: t('console.writes.status'), key: 'status', render: (_, c) => <Space wrap>{statusOf(c)}</Space> },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
