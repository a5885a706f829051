import { useState } from 'react';
import { Alert, Button, Flex, message, Tag, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import { IdcardOutlined, StopOutlined } from '@ant-design/icons';
import type { GatesOverview, PassView } from '@campus/protocol/access/index';
import { cancelPass, fetchPasses } from '../../../api/access';
import type { ApiError } from '../../../api/client';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { useSession } from '../../../auth/session';
import { useLiveEvents } from '../../../live/connection';
import { VisitorPassDialog } from '../people/VisitorPassDialog';
import { fullDateTime } from '../shared/format';
import { ReasonDialog } from '../shared/ReasonDialog';
import { useAccessText } from '../shared/useAccessText';
import { PhaseTag } from './PhaseTag';
import { todayAndLater } from './schedule';
import { usePersonNames } from './usePersonNames';

const CANCEL_PRESETS = ['panel.access.passes.preset.left', 'panel.access.passes.preset.lost', 'panel.access.passes.preset.mistake'] as const;
const PASS_EVENT = 'access.pass';

export interface PassesTabProps {
  timeZone: string;
  /** The school day as the edge sees it (YYYY-MM-DD). */
  today: string;
  places: GatesOverview | null;
  /** Set once the edge said the cloud owns visitor passes: none may be issued or cancelled here. */
  onRefused: (err: ApiError) => void;
}

/** Visitor and pickup passes valid today or later; issue a visitor pass with its QR, cancel one. */
export function PassesTab(props: PassesTabProps) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const [notice, noticeHolder] = message.useMessage();
  const passes = useEdgeQuery(fetchPasses, 'passes', { reloadOnReconnect: true });
  const [issuing, setIssuing] = useState(false);
  const [cancelling, setCancelling] = useState<PassView | null>(null);
  useLiveEvents((e) => {
    if (e.type === PASS_EVENT) passes.reload();
  });

  const now = Date.now();
  const shown = todayAndLater(passes.data ?? [], (p) => ({ from: p.validFrom, until: p.validUntil }), props.today, props.timeZone);
  const names = usePersonNames(shown.flatMap((p) => [p.hostPersonId, ...p.studentIds]));
  const person = (id: string) => (names.get(id) ? t('panel.access.personWithId', { name: names.get(id)!, id }) : id);
  const placeNames = (p: PassView) => {
    if (p.kind === 'pickup') return t('panel.access.passes.anywhere');
    const name = (id: string, list: ReadonlyArray<{ id: string; name: string }> | undefined) => list?.find((x) => x.id === id)?.name ?? id;
    return [...p.gates.map((g) => name(g, props.places?.gates)), ...p.zones.map((z) => name(z, props.places?.zones))].join('、');
  };
  // Ownership is per record: a pass the cloud issued is cancelled in the cloud; passes from the edge's own range are the edge's.
  const mayCancel = (p: PassView) => !p.createdBy.startsWith('cloud:');

  async function cancel(why: string) {
    if (!cancelling) return;
    try {
      const pass = await cancelPass(api, cancelling.id, why);
      notice.success(t('panel.access.passes.cancelled', { passId: pass.id }));
      passes.reload();
    } catch (err) {
      props.onRefused(err as ApiError);
      throw err;
    }
  }

  const columns: TableColumnsType<PassView> = [
    { key: 'id', title: t('panel.access.passes.id'), dataIndex: 'id', width: 90 },
    {
      key: 'kind',
      title: t('panel.access.passes.kind'),
      render: (_, p) => <Tag color={p.kind === 'visitor' ? 'gold' : 'cyan'}>{t(`panel.access.passes.kind.${p.kind}`)}</Tag>,
    },
    {
      key: 'holder',
      title: t('panel.access.passes.holder'),
      render: (_, p) => (
        <Flex vertical>
          <Typography.Text strong data-testid={`pass-holder-${p.id}`}>
            {p.visitorName ?? '—'}
          </Typography.Text>
          {p.phone && <Typography.Text type="secondary">{p.phone}</Typography.Text>}
        </Flex>
      ),
    },
    {
      key: 'host',
      title: t('panel.access.passes.hostOrStudents'),
      render: (_, p) => (p.kind === 'visitor' ? (p.hostPersonId ? person(p.hostPersonId) : '—') : p.studentIds.map(person).join('、')),
    },
    { key: 'purpose', title: t('panel.access.pass.purpose'), render: (_, p) => p.purpose ?? '—' },
    {
      key: 'window',
      title: t('panel.access.passes.window'),
      render: (_, p) => (
        <Flex vertical gap={4}>
          <span data-testid={`pass-window-${p.id}`}>
            {t('panel.access.lp.window', { from: fullDateTime(p.validFrom, props.timeZone), until: fullDateTime(p.validUntil, props.timeZone) })}
          </span>
          <PhaseTag from={p.validFrom} until={p.validUntil} now={now} />
        </Flex>
      ),
    },
    {
      key: 'uses',
      title: t('panel.access.pass.usesLabel'),
      render: (_, p) => (
        <Flex vertical>
          <span>{t(p.oneUse ? 'panel.access.pass.uses.one' : 'panel.access.pass.uses.many')}</span>
          <Typography.Text type="secondary">{t('panel.access.passes.used', { in: p.uses.in, out: p.uses.out })}</Typography.Text>
        </Flex>
      ),
    },
    { key: 'places', title: t('panel.access.passes.places'), render: (_, p) => placeNames(p) },
    { key: 'createdBy', title: t('panel.access.passes.issuedBy'), dataIndex: 'createdBy' },
    {
      key: 'actions',
      title: t('panel.access.leave.actions'),
      render: (_, p) => (
        <Button danger icon={<StopOutlined />} disabled={!mayCancel(p)} onClick={() => setCancelling(p)} data-testid={`pass-cancel-${p.id}`}>
          {t('panel.access.passes.cancel')}
        </Button>
      ),
    },
  ];

  return (
    <Flex vertical gap="middle" data-testid="passes-tab">
      {noticeHolder}
      <Flex justify="space-between" align="center" gap="middle" wrap="wrap">
        <Typography.Text type="secondary">{t('panel.access.passes.qrOnce')}</Typography.Text>
        <Button size="large" type="primary" icon={<IdcardOutlined />} onClick={() => setIssuing(true)} data-testid="open-pass">
          {t('panel.access.pass.open')}
        </Button>
      </Flex>
      {passes.error && <Alert type="error" showIcon title={passes.error.text[locale]} action={<Button onClick={passes.reload}>{t('panel.action.retry')}</Button>} />}
      <ResponsiveTable<PassView> cardTitle="holder"
        data-testid="pass-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={shown}
        loading={passes.loading}
        locale={{ emptyText: t('panel.access.passes.empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
      />
      <VisitorPassDialog
        open={issuing}
        places={props.places}
        timeZone={props.timeZone}
        onClose={() => setIssuing(false)}
        onIssued={() => passes.reload()}
        onRefused={props.onRefused}
      />
      <ReasonDialog
        open={cancelling !== null}
        title={t('panel.access.passes.cancelTitle', { passId: cancelling?.id ?? '' })}
        presets={CANCEL_PRESETS}
        submitLabel={t('panel.access.passes.cancel')}
        danger
        onSubmit={cancel}
        onClose={() => setCancelling(null)}
        testId="pass-cancel-dialog"
      >
        {cancelling && <Alert type="warning" showIcon title={t('panel.access.passes.cancelExplain', { holder: cancelling.visitorName ?? cancelling.id })} />}
      </ReasonDialog>
    </Flex>
  );
}
