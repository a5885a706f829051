import { useState } from 'react';
import { Alert, Button, Card, Flex, Input, InputNumber, List, Statistic, Tag, Typography } from 'antd';
import { useSession, useSignedInUser } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { facilitiesApi, parseTag, type StocktakeScan } from './api';
import { QrScanner } from './QrScanner';
import { useFacText } from './useFacText';
import './facilities.css';

const OUTCOME_COLORS: Record<string, string> = { found: 'green', moved: 'orange', not_registered: 'red', out_of_scope: 'default' };

/** 盘点: pick the session, scan the room's tag, then each asset in it; the report fills in live. */
export default function StocktakePage() {
  const { api } = useSession();
  const user = useSignedInUser();
  const { t, locale } = useFacText();
  const supervisor = user.roles.includes('facility') || user.roles.includes('admin');
  const [session, setSession] = useState<number | null>(null);
  const [typed, setTyped] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [building, setBuilding] = useState('');
  const [room, setRoom] = useState<string | null>(null);
  const [scans, setScans] = useState<StocktakeScan[]>([]);
  const [error, setError] = useState<ApiError | string | null>(null);
  const report = useEdgeQuery((a) => (session ? facilitiesApi.stocktakeReport(a, session) : Promise.resolve(null)), `stocktake-${session}`, { refreshMs: 5_000 });

  const create = async () => {
    setError(null);
    try {
      const { stocktake } = await facilitiesApi.newStocktake(api, { name: name.trim(), ...(building.trim() ? { building: building.trim() } : {}) });
      setSession(stocktake.id);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const onScan = async (text: string) => {
    setError(null);
    const tag = parseTag(text);
    if (!room || tag?.kind === 'rm') {
      if (!tag || tag.kind !== 'rm') return setError(t('fac.stocktake.roomFirst'));
      setRoom(text);
      return;
    }
    try {
      const s = await facilitiesApi.stocktakeScan(api, session!, { room, tag: text });
      setScans((list) => [s, ...list].slice(0, 50));
      report.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const close = async () => {
    setError(null);
    try {
      await facilitiesApi.closeStocktake(api, session!);
      report.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const r = report.data;
  return (
    <Flex vertical gap="middle" className="fac-phone" data-testid="fac-stocktake">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.stocktake')}
      </Typography.Title>
      {error && <Alert type="error" showIcon message={typeof error === 'string' ? error : error.text[locale]} data-testid="stocktake-error" />}
      {session === null ? (
        <Card size="small">
          <Flex vertical gap="middle">
            <Flex gap="small">
              <InputNumber size="large" min={1} style={{ flex: 1 }} value={typed} onChange={(v) => setTyped(typeof v === 'number' ? v : null)} placeholder={t('fac.stocktake.number')} data-testid="stocktake-id" />
              <Button size="large" disabled={!typed} onClick={() => setSession(typed)} data-testid="stocktake-join">
                {t('fac.stocktake.join')}
              </Button>
            </Flex>
            {supervisor && (
              <Flex vertical gap="small">
                <Input size="large" value={name} onChange={(e) => setName(e.target.value)} placeholder={t('fac.stocktake.name')} data-testid="stocktake-name" />
                <Input size="large" value={building} onChange={(e) => setBuilding(e.target.value)} placeholder={t('fac.stocktake.building')} />
                <Button type="primary" size="large" disabled={!name.trim()} onClick={() => void create()} data-testid="stocktake-new">
                  {t('fac.stocktake.new')}
                </Button>
              </Flex>
            )}
          </Flex>
        </Card>
      ) : (
        <>
          <Card size="small" title={r ? `${r.stocktake.name} · #${r.stocktake.id}` : `#${session}`} extra={r?.stocktake.closedAt ? <Tag>{t('fac.board.closed')}</Tag> : null}>
            {r && (
              <Flex gap="large" wrap="wrap" data-testid="stocktake-counts">
                <Statistic title={t('fac.stocktake.expected')} value={r.counts.expected} />
                <Statistic title={t('fac.stocktake.found')} value={r.counts.found} />
                <Statistic title={t('fac.stocktake.moved')} value={r.counts.moved} />
                <Statistic title={t('fac.stocktake.missing')} value={r.counts.missing} />
                <Statistic title={t('fac.stocktake.notRegistered')} value={r.counts.notRegistered} />
              </Flex>
            )}
          </Card>
          {!r?.stocktake.closedAt && (
            <Card size="small" title={room ? t('fac.stocktake.inRoom', { room: parseTag(room)?.id ?? '' }) : t('fac.stocktake.scanRoom')}>
              <QrScanner onScan={(text) => void onScan(text)} testId="stocktake-scanner" />
            </Card>
          )}
          <List
            size="small"
            dataSource={scans}
            renderItem={(s) => (
              <List.Item data-testid={`scan-${s.code}`} data-outcome={s.outcome}>
                <span>{s.code}</span>
                <span>
                  <Tag color={OUTCOME_COLORS[s.outcome]}>{t(`fac.stocktake.outcome.${s.outcome}`)}</Tag>
                  {s.duplicate && <Tag>{t('fac.stocktake.duplicate')}</Tag>}
                </span>
              </List.Item>
            )}
          />
          {r && (r.missing.length > 0 || r.moved.length > 0) && (
            <Card size="small" title={t('fac.stocktake.report')}>
              {r.moved.map((m) => (
                <div key={m.code}>{t('fac.stocktake.movedLine', { code: m.code, room: m.room, registered: m.registeredRoom ?? '—' })}</div>
              ))}
              {r.missing.map((m) => (
                <div key={m.code}>{t('fac.stocktake.missingLine', { code: m.code, room: m.room ?? '—' })}</div>
              ))}
            </Card>
          )}
          {supervisor && !r?.stocktake.closedAt && (
            <Button size="large" danger onClick={() => void close()} data-testid="stocktake-close">
              {t('fac.stocktake.close')}
            </Button>
          )}
        </>
      )}
    </Flex>
  );
}
