import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Input, message, Select, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import { DownloadOutlined, IdcardOutlined, StopOutlined, UploadOutlined } from '@ant-design/icons';
import type { PersonRole, PersonView } from '@campus/protocol/access/index';
import { fetchGatesOverview, fetchGrades, fetchPeople, fetchSchoolToday, revokeCard } from '../../../api/access';
import { PERSON_ROLES } from '../../../api/access-schemas';
import { useSession } from '../../../auth/session';
import { useAccessText } from '../shared/useAccessText';
import { ReasonDialog } from '../shared/ReasonDialog';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { cardRosterCsv, cardState, nextCardVersion } from './cards';
import { downloadText } from './download';
import { RosterImportDrawer } from './RosterImportDrawer';
import { VisitorPassDialog } from './VisitorPassDialog';
import '../access.css';

const PAGE_SIZES = [20, 50, 100];
const ROLE_COLOURS: Record<PersonRole, string> = { student: 'blue', guardian: 'purple', teacher: 'gold', staff: 'cyan', visitor: 'default' };
const REVOKE_PRESETS = ['panel.access.card.preset.lost', 'panel.access.card.preset.damaged', 'panel.access.card.preset.left'] as const;
const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

interface Filter {
  q: string;
  role: PersonRole | undefined;
  classId: number | undefined;
  page: number;
  pageSize: number;
}

/** 人员与卡片: the roster, its import, card revocation and printing, visitor passes. */
export default function PeoplePage() {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const [notice, noticeHolder] = message.useMessage();
  const [filter, setFilter] = useState<Filter>({ q: '', role: undefined, classId: undefined, page: 1, pageSize: 20 });
  const people = useEdgeQuery(
    (a) => fetchPeople(a, { q: filter.q || undefined, role: filter.role, classId: filter.classId, limit: filter.pageSize, offset: (filter.page - 1) * filter.pageSize }),
    JSON.stringify(filter),
  );
  const grades = useEdgeQuery(fetchGrades, 'grades');
  const places = useEdgeQuery(fetchGatesOverview, 'gates');
  const school = useEdgeQuery(fetchSchoolToday, 'calendar');
  // Selected people stay selected across pages and searches, so a card run can be gathered.
  const [selected, setSelected] = useState<Map<string, PersonView>>(new Map());
  const [revoking, setRevoking] = useState<PersonView | null>(null);
  const [importing, setImporting] = useState(false);
  const [issuing, setIssuing] = useState(false);

  const classOptions = useMemo(
    () => (grades.data ?? []).flatMap((g) => g.classes.map((c) => ({ value: c.id, label: `${g.name} ${c.name}` }))),
    [grades.data],
  );

  const reloadAll = () => {
    people.reload();
    grades.reload();
  };

  async function revoke(why: string) {
    if (!revoking) return;
    const person = await revokeCard(api, revoking.id, why);
    setSelected((prev) => (prev.has(person.id) ? new Map(prev).set(person.id, person) : prev));
    people.reload();
    void notice.success(t('panel.access.card.revoked', { name: person.name, version: person.minCardVersion }));
  }

  const columns = useMemo<TableColumnsType<PersonView>>(
    () => [
      { key: 'id', title: t('panel.access.people.col.id'), width: 140, render: (_, p) => <span className="client-id">{p.id}</span> },
      { key: 'name', title: t('panel.access.people.col.name'), render: (_, p) => <span className="client-name">{p.name}</span> },
      {
        key: 'roles',
        title: t('panel.access.people.col.roles'),
        render: (_, p) =>
          p.roles.map((r) => (
            <Tag key={r} color={ROLE_COLOURS[r]}>
              {t(`panel.access.role.${r}`)}
            </Tag>
          )),
      },
      {
        key: 'class',
        title: t('panel.access.people.col.class'),
        responsive: ['md'],
        render: (_, p) => (p.className ? `${p.gradeName ?? ''} ${p.className}` : '—'),
      },
      {
        key: 'card',
        title: t('panel.access.people.col.card'),
        render: (_, p) => {
          const s = cardState(p);
          if (s.kind === 'none') return <Tag>{t('panel.access.card.none')}</Tag>;
          if (s.kind === 'valid') return <Tag color="green">{t('panel.access.card.valid', { version: s.version })}</Tag>;
          return (
            <Tag color="red" data-testid={`card-reissue-${p.id}`}>
              {t('panel.access.card.reissue', { version: s.version })}
            </Tag>
          );
        },
      },
      {
        key: 'status',
        title: t('panel.access.people.col.status'),
        width: 90,
        responsive: ['lg'],
        render: (_, p) => <Tag color={p.active ? 'success' : 'default'}>{t(p.active ? 'panel.access.people.active' : 'panel.access.people.inactive')}</Tag>,
      },
      {
        key: 'actions',
        title: t('panel.access.people.col.actions'),
        width: 130,
        render: (_, p) =>
          cardState(p).kind === 'valid' && (
            <Button danger icon={<StopOutlined />} onClick={() => setRevoking(p)} data-testid={`revoke-${p.id}`}>
              {t('panel.access.card.revoke')}
            </Button>
          ),
      },
    ],
    [t],
  );

  const exportCards = () => {
    downloadText(`${t('panel.access.cards.fileName')}.csv`, cardRosterCsv([...selected.values()]), 'text/csv;charset=utf-8');
  };

  return (
    <Flex vertical gap="middle" data-testid="people-page">
      {noticeHolder}
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Typography.Title level={3} className="page-title">
          {t('panel.menu.access.people')}
        </Typography.Title>
        <Flex gap="middle" wrap="wrap">
          <Button size="large" icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="open-import">
            {t('panel.access.import.open')}
          </Button>
          <Tooltip title={t('panel.access.cards.exportHint')}>
            <Button size="large" icon={<DownloadOutlined />} disabled={selected.size === 0} onClick={exportCards} data-testid="export-cards">
              {t('panel.access.cards.export', { count: selected.size })}
            </Button>
          </Tooltip>
          <Button size="large" type="primary" icon={<IdcardOutlined />} onClick={() => setIssuing(true)} data-testid="open-pass">
            {t('panel.access.pass.open')}
          </Button>
        </Flex>
      </Flex>
      <Flex gap="middle" wrap="wrap" align="center">
        <Input.Search
          size="large"
          allowClear
          className="people-search"
          data-testid="people-search"
          placeholder={t('panel.access.people.search')}
          onSearch={(q) => setFilter((f) => ({ ...f, q: q.trim(), page: 1 }))}
        />
        <Select<PersonRole>
          size="large"
          allowClear
          className="people-filter"
          placeholder={t('panel.access.people.allRoles')}
          value={filter.role}
          onChange={(role) => setFilter((f) => ({ ...f, role, page: 1 }))}
          options={PERSON_ROLES.map((r) => ({ value: r, label: t(`panel.access.role.${r}`) }))}
        />
        <Select<number>
          size="large"
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          className="people-filter"
          placeholder={t('panel.access.people.allClasses')}
          value={filter.classId}
          onChange={(classId) => setFilter((f) => ({ ...f, classId, page: 1 }))}
          options={classOptions}
        />
        {people.data && (
          <Typography.Text type="secondary" data-testid="people-total">
            {t('panel.access.people.total', { total: people.data.total })}
          </Typography.Text>
        )}
      </Flex>
      {people.error && (
        <Alert type="error" showIcon title={people.error.text[locale]} action={<Button onClick={people.reload}>{t('panel.action.retry')}</Button>} />
      )}
      <ResponsiveTable<PersonView> cardTitle="name"
        data-testid="people-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={people.data?.people ?? []}
        loading={people.loading}
        locale={{ emptyText: t('panel.access.people.empty') }}
        rowSelection={{
          selectedRowKeys: [...selected.keys()],
          preserveSelectedRowKeys: true,
          onChange: (_keys, rows) => {
            // antd passes only the rows it knows; people picked on other pages are kept.
            const onPage = new Set((people.data?.people ?? []).map((p) => p.id));
            setSelected((prev) => {
              const next = new Map([...prev].filter(([id]) => !onPage.has(id)));
              for (const p of rows) if (p) next.set(p.id, p);
              return next;
            });
          },
        }}
        pagination={{
          current: filter.page,
          pageSize: filter.pageSize,
          total: people.data?.total ?? 0,
          pageSizeOptions: PAGE_SIZES,
          showSizeChanger: true,
          onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
        }}
      />
      <ReasonDialog
        open={revoking !== null}
        title={t('panel.access.card.revokeTitle', { name: revoking?.name ?? '' })}
        presets={REVOKE_PRESETS}
        submitLabel={t('panel.access.card.revokeSubmit')}
        danger
        onSubmit={revoke}
        onClose={() => setRevoking(null)}
        testId="revoke-dialog"
      >
        {revoking && <Alert type="warning" showIcon title={t('panel.access.card.revokeExplain', { next: nextCardVersion(revoking) })} />}
      </ReasonDialog>
      <RosterImportDrawer open={importing} onClose={() => setImporting(false)} onImported={reloadAll} />
      <VisitorPassDialog open={issuing} places={places.data} timeZone={school.data?.timeZone ?? DEFAULT_TIME_ZONE} onClose={() => setIssuing(false)} />
    </Flex>
  );
}
