import { useCallback, useState } from 'react';
import { Alert, Button, Card, Empty, Flex, Input, List, Modal, Result, Segmented, Select, Spin, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled } from '@ant-design/icons';
import { panelTranslate } from '../../i18n/translate';
import { useLocale } from '../../i18n/locale';
import type { Params } from '@campus/protocol/i18n';
import type { PanelMessageId } from '../../i18n/messages';
import { useSession } from '../../auth/session';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import type { ApiError } from '../../api/client';
import type { PanelEvent } from '../../api/types';
import { useLiveEvents } from '../../live/connection';
import {
  closeTrip,
  confirmHandover,
  fetchBusPlans,
  fetchBusRoutes,
  fetchBusStatus,
  fetchCurrentTrip,
  handoverFailed,
  lastStop,
  openTrip,
  rearCheck,
  recordManual,
  scanAtDoor,
  type BusRouteView,
  type BusScanResult,
  type BusTrip,
} from '../../api/bus';
import type { busMenuMessages } from '../../i18n/bus-messages';
import { busPageMessages, type BusPageMessageId } from './messages';
import { changesTrip, currentOrNextStop, expectedAt, isRedScan, stopsInOrder } from './trip';
import './bus.css';

type TextId = BusPageMessageId | PanelMessageId | keyof typeof busMenuMessages;

function useBusText() {
  const { locale } = useLocale();
  const t = useCallback((id: TextId, params?: Params) => panelTranslate(locale, id, params, busPageMessages), [locale]);
  return { locale, t };
}

const RED_SHOWN = 20;

/** Green for done, orange for a child held back (waiting for pickup, nobody came), red for a refusal. */
function resultTone(r: BusScanResult): 'ok' | 'warn' | 'red' {
  if (r.reason === 'bus.handover.waiting' || r.reason === 'bus.handover.failed') return 'warn';
  return r.ok ? 'ok' : 'red';
}

function clock(at: number | null): string {
  if (at === null) return '—';
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** 校车随车: the attendant's screen at the door — today's trip, who is on board and expected, every red scan, the pickup step, the end-of-trip check. */
export default function BusTripPage() {
  const { t } = useBusText();
  const status = useEdgeQuery(fetchBusStatus, 'bus-status');
  if (status.loading) return <Spin size="large" className="page-spinner" />;
  if (!status.data?.running) {
    return <Result status="info" title={t('panel.bus.notRunning')} subTitle={t('panel.bus.notRunningHint')} data-testid="bus-not-running" />;
  }
  return <TripScreen />;
}

function TripScreen() {
  const { api } = useSession();
  const { locale, t } = useBusText();
  const routes = useEdgeQuery(fetchBusRoutes, 'bus-routes');
  const current = useEdgeQuery(fetchCurrentTrip, 'bus-current', { reloadOnReconnect: true });
  const [red, setRed] = useState<PanelEvent[]>([]);
  const [last, setLast] = useState<BusScanResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<BusTrip | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = current.reload;

  useLiveEvents(
    useCallback(
      (e: PanelEvent) => {
        if (isRedScan(e)) setRed((prev) => [e, ...prev.filter((x) => x.id !== e.id)].slice(0, RED_SHOWN));
        if (changesTrip(e)) reload();
      },
      [reload],
    ),
  );

  /** Runs one action; its scan result (green or red) shows at the top, an error as an alert. */
  const act = async (fn: () => Promise<BusScanResult | BusTrip | void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const out = await fn();
      if (out && 'reason' in out) setLast(out);
      reload();
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const route = routes.data?.find((r) => r.id === current.data?.trip?.routeId);
  const trip = current.data?.trip ?? null;

  return (
    <Flex vertical gap="middle" className="bus-trip" data-testid="bus-trip">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.bus.trip')}
      </Typography.Title>
      {(error ?? current.error) && <Alert type="error" showIcon title={(error ?? current.error)!.text[locale]} data-testid="bus-error" closable onClose={() => setError(null)} />}
      {report ? (
        <TripReport trip={report} route={routes.data?.find((r) => r.id === report.routeId)} onDone={() => setReport(null)} />
      ) : current.loading ? (
        <Spin size="large" className="page-spinner" />
      ) : trip ? (
        <RunningTrip
          trip={trip}
          route={route}
          atStop={current.data?.atStop ?? null}
          last={last}
          red={red}
          busy={busy}
          act={act}
          onClose={() =>
            void act(async () => {
              const closed = await closeTrip(api);
              setReport(closed);
              setLast(null);
              setRed([]);
            })
          }
        />
      ) : (
        <StartTrip routes={routes.data ?? []} busy={busy} onOpen={(routeId, dir) => void act(() => openTrip(api, routeId, dir))} />
      )}
    </Flex>
  );
}

function StartTrip({ routes, busy, onOpen }: { routes: BusRouteView[]; busy: boolean; onOpen: (routeId: string, dir: 'morning' | 'afternoon') => void }) {
  const { t } = useBusText();
  const plans = useEdgeQuery(fetchBusPlans, 'bus-plans');
  const [routeId, setRouteId] = useState<string | undefined>(undefined);
  const [dir, setDir] = useState<'morning' | 'afternoon'>(new Date().getHours() < 12 ? 'morning' : 'afternoon');
  const list = plans.data?.plans ?? [];
  return (
    <Flex vertical gap="middle">
      <Card title={t('panel.bus.plans')} size="small">
        {list.length === 0 ? (
          <Typography.Text type="secondary">{t('panel.bus.noPlans')}</Typography.Text>
        ) : (
          <List
            dataSource={list}
            renderItem={(p) => (
              <List.Item actions={[<Button key="go" type="primary" disabled={busy} onClick={() => onOpen(p.routeId, p.direction)} data-testid={`plan-start-${p.routeId}-${p.direction}`}>{t('panel.bus.start')}</Button>]}>
                <List.Item.Meta title={`${p.routeName} · ${t(p.direction === 'morning' ? 'panel.bus.morning' : 'panel.bus.afternoon')}`} description={t('panel.bus.plan', { plate: p.plate ?? '—', driver: p.driverName, attendant: p.attendantName })} />
              </List.Item>
            )}
          />
        )}
      </Card>
      <Card size="small">
        <Flex vertical gap="small">
          <Select
            size="large"
            placeholder={t('panel.bus.route')}
            value={routeId}
            onChange={setRouteId}
            options={routes.map((r) => ({ value: r.id, label: r.name }))}
            data-testid="bus-route-select"
          />
          <Segmented
            block
            size="large"
            value={dir}
            onChange={(v) => setDir(v as 'morning' | 'afternoon')}
            options={[
              { value: 'morning', label: t('panel.bus.morning') },
              { value: 'afternoon', label: t('panel.bus.afternoon') },
            ]}
          />
          <Button type="primary" size="large" block disabled={!routeId || busy} onClick={() => routeId && onOpen(routeId, dir)} data-testid="bus-start">
            {t('panel.bus.start')}
          </Button>
        </Flex>
      </Card>
    </Flex>
  );
}

interface RunningProps {
  trip: BusTrip;
  route: BusRouteView | undefined;
  atStop: string | null;
  last: BusScanResult | null;
  red: PanelEvent[];
  busy: boolean;
  act: (fn: () => Promise<BusScanResult | BusTrip | void>) => Promise<boolean>;
  onClose: () => void;
}

function RunningTrip({ trip, route, atStop, last, red, busy, act, onClose }: RunningProps) {
  const { api } = useSession();
  const { locale, t } = useBusText();
  const [scanText, setScanText] = useState('');
  const [checkText, setCheckText] = useState('');
  const [manualOpen, setManualOpen] = useState(false);
  const stop = route ? currentOrNextStop(route, trip, atStop) : null;
  const expected = stop ? expectedAt(trip, stop.stop.id) : [];
  const scheduled = stop ? (trip.direction === 'morning' ? stop.stop.morningAt : stop.stop.afternoonAt) : undefined;
  const stopName = (id: string | null) => (id ? (route?.stops.find((s) => s.id === id)?.name ?? id) : '—');

  const submitScan = () => {
    const text = scanText.trim();
    if (!text) return;
    setScanText('');
    void act(() => scanAtDoor(api, text));
  };

  return (
    <Flex vertical gap="middle">
      <Card size="small" data-testid="bus-trip-head">
        <Flex vertical gap={4}>
          <Typography.Text strong className="bus-route-name">
            {trip.routeName} · {t(trip.direction === 'morning' ? 'panel.bus.morning' : 'panel.bus.afternoon')}
          </Typography.Text>
          {trip.plan && <Typography.Text type="secondary">{t('panel.bus.plan', { plate: trip.plan.plate ?? '—', driver: trip.plan.driverName, attendant: trip.plan.attendantName })}</Typography.Text>}
          <Typography.Text data-testid="bus-counts">{t('panel.bus.counts', { onBoard: trip.onBoard.length, boarded: trip.boarded, alighted: trip.alighted })}</Typography.Text>
        </Flex>
      </Card>

      {last && (
        <div className={`bus-result bus-result-${resultTone(last)}`} data-testid="bus-last-result" data-ok={String(last.ok)} data-reason={last.reason}>
          {resultTone(last) === 'ok' ? <CheckCircleFilled /> : resultTone(last) === 'warn' ? <ExclamationCircleFilled /> : <CloseCircleFilled />}
          <span>{last.text[locale]}</span>
        </div>
      )}

      <Flex gap="small">
        <Input
          size="large"
          value={scanText}
          onChange={(e) => setScanText(e.target.value)}
          onPressEnter={submitScan}
          placeholder={t('panel.bus.scanPlaceholder')}
          autoComplete="off"
          data-testid="bus-scan-input"
        />
        <Button size="large" type="primary" onClick={submitScan} disabled={busy} data-testid="bus-scan">
          {t('panel.bus.scan')}
        </Button>
      </Flex>

      <Card size="small" title={stop ? t(stop.at ? 'panel.bus.atStop' : 'panel.bus.nextStop', { stop: stop.stop.name }) : t('panel.bus.afterLastStop')} extra={scheduled ? t('panel.bus.scheduled', { time: scheduled }) : null} data-testid="bus-stop">
        {stop && (
          <>
            <Typography.Text type="secondary">{t(trip.direction === 'morning' ? 'panel.bus.expectedBoard' : 'panel.bus.expectedAlight')}</Typography.Text>
            {expected.length === 0 ? (
              <div className="bus-muted">{t('panel.bus.nobodyHere')}</div>
            ) : (
              <Flex wrap="wrap" gap={6} className="bus-names">
                {expected.map((e) => (
                  <Tag key={e.personId} color={e.handover ? 'orange' : 'blue'}>
                    {e.name}
                    {e.handover ? ` · ${t('panel.bus.handoverTag')}` : ''}
                  </Tag>
                ))}
              </Flex>
            )}
          </>
        )}
      </Card>

      {(trip.waiting ?? []).map((w) => (
        <PickupStep key={w.personId} child={w} stopName={stopName(w.stopId)} busy={busy} act={act} />
      ))}

      <Card size="small" title={t('panel.bus.redScans')} data-testid="bus-red-scans">
        {red.length === 0 ? (
          <div className="bus-muted">{t('panel.bus.noRedScans')}</div>
        ) : (
          <Flex vertical gap={6}>
            {red.map((e) => (
              <div key={e.id} className="bus-red-row" data-reason={e.reason}>
                <ExclamationCircleFilled />
                <span className="bus-red-time">{clock(e.occurredAt)}</span>
                <span>{e.text[locale]}</span>
              </div>
            ))}
          </Flex>
        )}
      </Card>

      <Card size="small" title={t('panel.bus.onBoard')} extra={<Button onClick={() => setManualOpen(true)} data-testid="bus-manual-open">{t('panel.bus.manual')}</Button>} data-testid="bus-on-board">
        {trip.onBoard.length === 0 ? (
          <div className="bus-muted">{t('panel.bus.nobodyOnBoard')}</div>
        ) : (
          <Flex wrap="wrap" gap={6} className="bus-names">
            {trip.onBoard.map((r) => {
              const returned = (trip.returned ?? []).some((x) => x.personId === r.personId);
              return (
                <Tag key={r.personId} color={returned ? 'red' : undefined}>
                  {r.name}
                  {returned ? ` · ${t('panel.bus.returned')}` : ''}
                </Tag>
              );
            })}
          </Flex>
        )}
      </Card>

      <Card size="small" title={t('panel.bus.endOfTrip')} data-testid="bus-end">
        <Flex vertical gap="small">
          {trip.lastStopAt === null && (
            <Button block disabled={busy} onClick={() => void act(() => lastStop(api))} data-testid="bus-last-stop">
              {t('panel.bus.lastStop')}
            </Button>
          )}
          {trip.checkedAt === null ? (
            <Flex gap="small">
              <Input value={checkText} onChange={(e) => setCheckText(e.target.value)} placeholder={t('panel.bus.checkPlaceholder')} autoComplete="off" data-testid="bus-check-input" />
              <Button disabled={busy || !checkText.trim()} onClick={() => void act(() => rearCheck(api, checkText.trim())).then(() => setCheckText(''))} data-testid="bus-check">
                {t('panel.bus.check')}
              </Button>
            </Flex>
          ) : (
            <Typography.Text type="success">{t('panel.bus.checked', { time: clock(trip.checkedAt) })}</Typography.Text>
          )}
          <Button type="primary" size="large" block disabled={busy} onClick={onClose} data-testid="bus-close">
            {t('panel.bus.close')}
          </Button>
        </Flex>
      </Card>

      <ManualDialog open={manualOpen} trip={trip} onClose={() => setManualOpen(false)} act={act} />
    </Flex>
  );
}

function PickupStep({ child, stopName, busy, act }: { child: NonNullable<BusTrip['waiting']>[number]; stopName: string; busy: boolean; act: RunningProps['act'] }) {
  const { api } = useSession();
  const { t } = useBusText();
  const [proof, setProof] = useState('');
  const names = child.pickupPersons.map((p) => `${p.name}（${p.relation}）`).join('、');
  const submit = () => {
    if (!proof.trim()) return;
    void act(() => confirmHandover(api, child.personId, proof)).then(() => setProof(''));
  };
  return (
    <Card size="small" className="bus-pickup" title={`${t('panel.bus.waiting')} · ${child.name} · ${stopName}`} data-testid={`pickup-${child.personId}`}>
      <Flex vertical gap="small">
        <Typography.Text>{names ? t('panel.bus.pickupPersons', { names }) : t('panel.bus.noPickupPersons')}</Typography.Text>
        <Input size="large" value={proof} onChange={(e) => setProof(e.target.value)} onPressEnter={submit} placeholder={t('panel.bus.proofPlaceholder')} autoComplete="off" data-testid="pickup-proof" />
        <Flex gap="small">
          <Button type="primary" size="large" disabled={busy || !proof.trim()} onClick={submit} className="bus-grow" data-testid="pickup-confirm">
            {t('panel.bus.confirmHandover')}
          </Button>
          <Button danger size="large" disabled={busy} onClick={() => void act(() => handoverFailed(api, child.personId, t('panel.bus.nobodyCameWhy')))} className="bus-grow" data-testid="pickup-failed">
            {t('panel.bus.nobodyCame')}
          </Button>
        </Flex>
      </Flex>
    </Card>
  );
}

function ManualDialog({ open, trip, onClose, act }: { open: boolean; trip: BusTrip; onClose: () => void; act: RunningProps['act'] }) {
  const { api } = useSession();
  const { t } = useBusText();
  const [personId, setPersonId] = useState<string | undefined>(undefined);
  const [kind, setKind] = useState<'board' | 'alight'>('board');
  const [why, setWhy] = useState('');
  const [tried, setTried] = useState(false);
  const people = new Map<string, string>();
  for (const e of trip.expected ?? []) people.set(e.personId, e.name);
  for (const r of trip.onBoard) people.set(r.personId, r.name);
  const whyOk = why.trim().length >= 2;
  const save = () => {
    setTried(true);
    if (!personId || !whyOk) return;
    void act(() => recordManual(api, personId, kind, why.trim())).then((ok) => {
      if (!ok) return;
      setWhy('');
      setTried(false);
      onClose();
    });
  };
  return (
    <Modal open={open} title={t('panel.bus.manualTitle')} onCancel={onClose} onOk={save} okText={t('panel.bus.save')} cancelText={t('panel.bus.cancel')} okButtonProps={{ 'data-testid': 'manual-save' } as Record<`data-${string}`, string>} destroyOnHidden>
      <Flex vertical gap="small">
        <Select
          size="large"
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('panel.bus.child')}
          value={personId}
          onChange={setPersonId}
          options={[...people].map(([value, label]) => ({ value, label }))}
          data-testid="manual-child"
        />
        <Segmented
          block
          value={kind}
          onChange={(v) => setKind(v as 'board' | 'alight')}
          options={[
            { value: 'board', label: t('panel.bus.board') },
            { value: 'alight', label: t('panel.bus.alight') },
          ]}
        />
        <Input value={why} onChange={(e) => setWhy(e.target.value)} placeholder={t('panel.bus.why')} status={tried && !whyOk ? 'error' : undefined} data-testid="manual-why" />
        {tried && !whyOk && <Typography.Text type="danger">{t('panel.bus.whyRequired')}</Typography.Text>}
      </Flex>
    </Modal>
  );
}

function TripReport({ trip, route, onDone }: { trip: BusTrip; route: BusRouteView | undefined; onDone: () => void }) {
  const { t } = useBusText();
  const stops = route ? stopsInOrder(route, trip.direction) : [];
  const visits = trip.visits ?? [];
  return (
    <Card title={`${t('panel.bus.report')} · ${trip.routeName} · ${trip.date}`} data-testid="bus-report">
      <Flex vertical gap="small">
        <Typography.Text strong>
          {t('panel.bus.reportSummary', { boarded: trip.boarded, alighted: trip.alighted, handovers: (trip.handovers ?? []).length, returned: (trip.returned ?? []).length })}
        </Typography.Text>
        {stops.length === 0 && <Empty />}
        {stops.map((s) => {
          const v = visits.find((x) => x.stopId === s.id);
          const sched = (trip.direction === 'morning' ? s.morningAt : s.afternoonAt) ?? '—';
          return <div key={s.id}>{t('panel.bus.reportStop', { stop: s.name, scheduled: sched, actual: v ? clock(v.arrivedAt) : '—' })}</div>;
        })}
        {(trip.handovers ?? []).map((h) => (
          <div key={h.personId + h.at}>{t('panel.bus.reportHandover', { child: h.name, pickup: h.pickupName, relation: h.relation, method: t(h.method === 'pass' ? 'panel.bus.method.pass' : 'panel.bus.method.code') })}</div>
        ))}
        {(trip.returned ?? []).map((r) => (
          <Tag key={r.personId} color="red">
            {r.name} · {t('panel.bus.returned')}
          </Tag>
        ))}
        <div>{t('panel.bus.reportCheck', { time: clock(trip.checkedAt) })}</div>
        <Button type="primary" onClick={onDone} data-testid="bus-report-done">
          {t('panel.bus.done')}
        </Button>
      </Flex>
    </Card>
  );
}
