import { useEffect, useState } from 'react';
import { Alert, Button, Card, Flex, Input, Select, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { RotaEntryInput } from '@campus/protocol/facilities/api';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { facilitiesApi } from './api';
import { CATEGORIES, categoryLabel, dayTime } from './shared';
import { useFacText } from './useFacText';

type Line = Required<Pick<RotaEntryInput, 'category' | 'building' | 'assignee' | 'kind' | 'days' | 'from' | 'until'>> & { team: string; key: number };

let nextKey = 1;
const blank = (): Line => ({ key: nextKey++, category: '*', building: '*', assignee: '', kind: 'worker', team: '', days: 'all', from: '00:00', until: '24:00' });

/**
 * 值班表 at the desk: who gets the orders of which category and building, on which days and
 * hours (the most specific line on duty wins, then the least loaded); the team each line's
 * worker counts toward in the KPIs. Saved, it replaces the config file's rota.
 */
export function RotaDesk() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const rota = useEdgeQuery(facilitiesApi.rota, 'desk-rota');
  const [lines, setLines] = useState<Line[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (rota.data && lines === null) setLines(rota.data.entries.map((e) => ({ key: nextKey++, category: e.category, building: e.building, assignee: e.assignee, kind: e.kind, team: e.team ?? '', days: e.days, from: e.from, until: e.until })));
  }, [rota.data, lines]);

  const set = (key: number, patch: Partial<Line>) => {
    setSaved(false);
    setLines((ls) => (ls ?? []).map((l) => (l.key === key ? { ...l, ...patch } : l)));
  };
  const save = async () => {
    if (!lines) return;
    setBusy(true);
    setError(null);
    try {
      await facilitiesApi.putRota(api, lines.map(({ key: _key, team, ...l }) => ({ ...l, ...(team.trim() ? { team: team.trim() } : {}) })));
      setSaved(true);
      rota.reload();
    } catch (err) {
      const e = err as ApiError;
      const detail = (e.details as { detail?: string } | undefined)?.detail;
      setError(`${e.text?.[locale] ?? String(err)}${detail && !e.text?.[locale]?.includes(detail) ? `：${detail}` : ''}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      data-testid="desk-rota"
      title={
        <Flex gap="small" align="center">
          {t('fac.rota.title')}
          {rota.data && (
            <Tag data-testid="rota-source" data-source={rota.data.source}>
              {rota.data.source === 'config' ? t('fac.rota.fromConfig') : t('fac.rota.saved', { by: rota.data.updatedBy ?? '', at: rota.data.updatedAt ? dayTime(rota.data.updatedAt) : '' })}
            </Tag>
          )}
        </Flex>
      }
      extra={
        <Button type="primary" loading={busy} disabled={!lines} onClick={() => void save()} data-testid="rota-save">
          {t('fac.desk.save')}
        </Button>
      }
    >
      <Flex vertical gap="small">
        <Typography.Text type="secondary">{t('fac.rota.hint')}</Typography.Text>
        {error && <Alert type="error" showIcon message={error} data-testid="rota-error" />}
        {saved && <Alert type="success" showIcon message={t('fac.rota.done')} data-testid="rota-saved" />}
        <Table<Line>
          size="small"
          rowKey="key"
          loading={rota.loading}
          pagination={false}
          dataSource={lines ?? []}
          onRow={(_, i) => ({ 'data-testid': `rota-line-${i}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('fac.report.category'),
              width: 140,
              render: (_: unknown, l) => (
                <Select style={{ width: '100%' }} value={l.category} onChange={(category) => set(l.key, { category })} options={[{ value: '*', label: t('fac.rota.any') }, ...CATEGORIES.map((c) => ({ value: c, label: categoryLabel(t, c) }))]} />
              ),
            },
            { title: t('fac.report.building'), width: 110, render: (_: unknown, l) => <Input value={l.building} onChange={(e) => set(l.key, { building: e.target.value.trim() || '*' })} data-role="building" /> },
            { title: t('fac.rota.assignee'), width: 130, render: (_: unknown, l) => <Input value={l.assignee} onChange={(e) => set(l.key, { assignee: e.target.value.trim() })} data-role="assignee" /> },
            {
              title: t('fac.rota.kind'),
              width: 120,
              render: (_: unknown, l) => <Select style={{ width: '100%' }} value={l.kind} onChange={(kind) => set(l.key, { kind })} options={(['worker', 'contractor'] as const).map((k) => ({ value: k, label: t(`fac.rota.kind.${k}`) }))} />,
            },
            { title: t('fac.rota.team'), width: 120, render: (_: unknown, l) => <Input value={l.team} onChange={(e) => set(l.key, { team: e.target.value })} data-role="team" /> },
            {
              title: t('fac.desk.days'),
              width: 120,
              render: (_: unknown, l) => <Select style={{ width: '100%' }} value={l.days} onChange={(days) => set(l.key, { days })} options={(['all', 'school', 'non_school'] as const).map((d) => ({ value: d, label: t(`fac.desk.days.${d}`) }))} />,
            },
            { title: t('fac.desk.from'), width: 90, render: (_: unknown, l) => <Input value={l.from} onChange={(e) => set(l.key, { from: e.target.value.trim() })} data-role="from" /> },
            { title: t('fac.desk.until'), width: 90, render: (_: unknown, l) => <Input value={l.until} onChange={(e) => set(l.key, { until: e.target.value.trim() })} data-role="until" /> },
            {
              title: '',
              width: 50,
              render: (_: unknown, l) => <Button danger icon={<DeleteOutlined />} onClick={() => setLines((ls) => (ls ?? []).filter((x) => x.key !== l.key))} aria-label={t('fac.remove')} data-role="remove" />,
            },
          ]}
        />
        <Button icon={<PlusOutlined />} onClick={() => setLines((ls) => [...(ls ?? []), blank()])} data-testid="rota-add">
          {t('fac.rota.add')}
        </Button>
      </Flex>
    </Card>
  );
}
