import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Flex, Input, Segmented, Tag, Timeline, Typography } from 'antd';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import { facilitiesApi, parseTag, type AssetDetail, type Assets } from './api';
import { QrScanner } from './QrScanner';
import { AssetImport } from './AssetImport';
import { dayTime } from './shared';
import { useFacText } from './useFacText';
import './facilities.css';

type Act = 'issue' | 'transfer' | 'repair' | 'repaired' | 'dispose';
const ACTS: readonly Act[] = ['issue', 'transfer', 'repair', 'repaired', 'dispose'];
const STATE_COLORS: Record<string, string> = { in_stock: 'default', issued: 'blue', under_repair: 'orange', disposed: 'red' };

/** 资产: scan a tag → the asset's card (transfer, repair, dispose); the register below for the desk. */
export default function AssetsPage() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const list = useEdgeQuery(facilitiesApi.assets, 'assets');
  const [card, setCard] = useState<AssetDetail | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [act, setAct] = useState<Act>('transfer');
  const [form, setForm] = useState({ building: '', room: '', custodian: '', orderId: '', approvedBy: '', note: '' });
  const [busy, setBusy] = useState(false);

  const load = async (code: string) => {
    setError(null);
    try {
      setCard(await facilitiesApi.asset(api, code));
    } catch (err) {
      setCard(null);
      setError(err as ApiError);
    }
  };
  const onScan = (text: string) => {
    const tag = parseTag(text);
    if (!tag || tag.kind !== 'as') return setError(t('fac.assets.notAssetTag'));
    void load(tag.id);
  };

  const submit = async () => {
    if (!card) return;
    setBusy(true);
    setError(null);
    const f = Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, k === 'orderId' ? Number(v) : v.trim()]));
    const body =
      act === 'transfer' || act === 'issue' ? pick(f, ['building', 'room', 'custodian', 'note']) : act === 'repair' ? pick(f, ['orderId', 'note']) : act === 'repaired' ? pick(f, ['note']) : pick(f, ['approvedBy', 'note']);
    try {
      await facilitiesApi.assetAction(api, card.asset.code, act, body);
      await load(card.asset.code);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const field = (k: keyof typeof form, label: string) => (
    <label className="fac-field" key={k}>
      <Typography.Text>{label}</Typography.Text>
      <Input size="large" value={form[k]} onChange={(e) => setForm((s) => ({ ...s, [k]: e.target.value }))} data-testid={`asset-${k}`} />
    </label>
  );

  return (
    <Flex vertical gap="middle" data-testid="fac-assets">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.assets')}
      </Typography.Title>
      <Flex vertical gap="middle" className="fac-phone">
        <Card size="small" title={t('fac.assets.scan')}>
          <QrScanner onScan={onScan} testId="asset-scanner" />
        </Card>
        {error && <Alert type="error" showIcon message={typeof error === 'string' ? error : error.text[locale]} data-testid="asset-error" />}
        {card && (
          <Card size="small" data-testid="asset-card" data-state={card.asset.state} title={`${card.asset.name}（${card.asset.code}）`} extra={<Tag color={STATE_COLORS[card.asset.state]}>{t(`fac.assetState.${card.asset.state}`)}</Tag>}>
            <Flex vertical gap="middle">
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('fac.assets.place')}>{[card.asset.building, card.asset.room].filter(Boolean).join(' · ') || '—'}</Descriptions.Item>
                <Descriptions.Item label={t('fac.assets.custodian')}>{card.asset.custodian ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('fac.assets.model')}>{[card.asset.model, card.asset.serial].filter(Boolean).join(' / ') || '—'}</Descriptions.Item>
                <Descriptions.Item label={t('fac.assets.warranty')}>
                  {card.asset.warrantyEnd ?? '—'} {card.underWarranty === true ? <Tag color="green">{t('fac.assets.inWarranty')}</Tag> : card.underWarranty === false ? <Tag>{t('fac.assets.outOfWarranty')}</Tag> : null}
                </Descriptions.Item>
                <Descriptions.Item label={t('fac.assets.bookValue')}>{card.bookValue === null ? '—' : `¥${card.bookValue.toFixed(2)}`}</Descriptions.Item>
              </Descriptions>
              {card.asset.state !== 'disposed' && (
                <>
                  <Segmented block value={act} onChange={(v) => setAct(v as Act)} options={ACTS.map((a) => ({ value: a, label: t(`fac.assets.act.${a}`) }))} data-testid="asset-act" />
                  {(act === 'transfer' || act === 'issue') && [field('building', t('fac.report.building')), field('room', t('fac.assets.room')), field('custodian', t('fac.assets.custodian'))]}
                  {act === 'repair' && field('orderId', t('fac.assets.orderId'))}
                  {act === 'dispose' && field('approvedBy', t('fac.assets.approvedBy'))}
                  {field('note', t('fac.item.note'))}
                  <Button type="primary" size="large" block danger={act === 'dispose'} loading={busy} onClick={() => void submit()} data-testid="asset-submit">
                    {t(`fac.assets.act.${act}`)}
                  </Button>
                </>
              )}
              <Timeline items={card.history.slice(-10).reverse().map((h) => ({ children: `${dayTime(h.at)} ${h.actor}：${t(`fac.assetState.${h.to}`)}` }))} />
            </Flex>
          </Card>
        )}
      </Flex>
      <Card size="small" title={t('fac.assets.register', { count: list.data?.assets.length ?? 0 })} data-testid="asset-register">
        <AssetImport onImported={() => list.reload()} />
        <ResponsiveTable<Assets['assets'][number]>
          rowKey="code"
          size="small"
          loading={list.loading}
          dataSource={list.data?.assets ?? []}
          pagination={{ pageSize: 20 }}
          onRow={(a) => ({ onClick: () => void load(a.code), 'data-testid': `asset-row-${a.code}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('fac.assets.code'), dataIndex: 'code' },
            { title: t('fac.assets.name'), dataIndex: 'name' },
            { title: t('fac.assets.place'), render: (_: unknown, a) => [a.building, a.room].filter(Boolean).join(' · ') },
            { title: t('fac.assets.state'), render: (_: unknown, a) => <Tag color={STATE_COLORS[a.state]}>{t(`fac.assetState.${a.state}`)}</Tag> },
          ]}
        />
      </Card>
    </Flex>
  );
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}
