import { useMemo, useState } from 'react';
import { Alert, Button, Card, Flex, Input, InputNumber, Spin, Tag, Typography } from 'antd';
import type { ChecklistItem, Result } from '@campus/protocol/facilities/api';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { useLiveEvents } from '../../live/connection';
import { facilitiesApi, type InspectAnswer, type Resolved, type Run } from './api';
import { PhotoField } from './PhotoField';
import { QrScanner } from './QrScanner';
import { RoomPowerBox } from './RoomPower';
import { ResultBadge, hhmm } from './shared';
import { useFacText } from './useFacText';
import './facilities.css';

interface Draft {
  pass?: boolean;
  value?: number | null;
  photo?: string | null;
  note?: string;
}

/** What an answer will be judged: the same rules as the edge (shown before sending). */
export function judge(item: ChecklistItem, d: Draft | undefined): Result | null {
  if (!d) return null;
  if (item.kind === 'check') return d.pass === undefined ? null : d.pass ? 'green' : item.failResult;
  if (d.value === undefined || d.value === null) return null;
  const { warnLow, warnHigh, alarmLow, alarmHigh } = item.thresholds;
  const v = d.value;
  if ((alarmLow !== undefined && v < alarmLow) || (alarmHigh !== undefined && v > alarmHigh)) return 'red';
  if ((warnLow !== undefined && v < warnLow) || (warnHigh !== undefined && v > warnHigh)) return 'yellow';
  return 'green';
}

function needsPhoto(item: ChecklistItem, r: Result | null): boolean {
  return item.photo === 'required' || (item.photo === 'on_fail' && r !== null && r !== 'green');
}

/** 巡检: today's rounds, scan a checkpoint's tag, answer its checklist, see red/yellow/green. Phone first. */
export default function InspectPage() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const runs = useEdgeQuery(facilitiesApi.openRuns, 'open-runs', { refreshMs: 30_000, reloadOnReconnect: true });
  const names = useCheckpointNames();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [scanned, setScanned] = useState<{ tag: string; resolved: Resolved } | null>(null);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [done, setDone] = useState<InspectAnswer | null>(null);

  useLiveEvents((e) => {
    if (e.type.startsWith('facilities.inspection')) runs.reload();
  });

  const onScan = async (tag: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const resolved = await facilitiesApi.resolve(api, tag);
      setScanned({ tag, resolved });
      setDrafts({});
    } catch (err) {
      setScanned(null);
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const checklist = scanned?.resolved.checkpoint.checklist ?? [];
  const results = useMemo(() => Object.fromEntries(checklist.map((i) => [i.id, judge(i, drafts[i.id])])), [checklist, drafts]);
  const missing = checklist.filter((i) => results[i.id] === null || (needsPhoto(i, results[i.id] ?? null) && !drafts[i.id]?.photo));
  const setDraft = (id: string, patch: Partial<Draft>) => setDrafts((d) => ({ ...d, [id]: { ...d[id], ...patch } }));

  const submit = async () => {
    if (!scanned) return;
    setBusy(true);
    setError(null);
    const run = scanned.resolved.runs.find((r) => !r.scanned.includes(scanned.resolved.checkpoint.id));
    try {
      const answer = await facilitiesApi.inspect(api, {
        tag: scanned.tag,
        ...(run ? { runId: run.id } : {}),
        answers: checklist.map((i) => {
          const d = drafts[i.id] ?? {};
          return {
            item: i.id,
            ...(i.kind === 'check' ? { pass: d.pass } : { value: d.value ?? undefined }),
            ...(d.photo ? { photo: d.photo } : {}),
            ...(d.note ? { note: d.note } : {}),
          };
        }),
      });
      setDone(answer);
      setScanned(null);
      runs.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap="middle" className="fac-phone" data-testid="fac-inspect">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.inspect')}
      </Typography.Title>
      <RunsToday runs={runs.data?.runs ?? null} error={runs.error?.text[locale] ?? null} names={names} />

      {done && (
        <Card className={`fac-result fac-result-${done.result}`} data-testid="inspect-result" data-result={done.result}>
          <Flex vertical gap="small">
            <Typography.Title level={2} style={{ margin: 0 }}>
              {t(`fac.result.big.${done.result}`)}
            </Typography.Title>
            <Typography.Text>{t('fac.inspect.recorded', { round: done.run.roundName, time: hhmm(done.inspection.at) })}</Typography.Text>
            {done.late && <Tag color="orange">{t('fac.inspect.late')}</Tag>}
            {done.outOfOrder && <Tag color="orange">{t('fac.inspect.outOfOrder', { expected: done.expected ? (names.get(done.expected) ?? done.expected) : '—' })}</Tag>}
            {done.orders.length > 0 && <Typography.Text data-testid="inspect-orders">{t('fac.inspect.ordersOpened', { ids: done.orders.map((id) => `#${id}`).join(', ') })}</Typography.Text>}
          </Flex>
        </Card>
      )}

      {error && <Alert type="error" showIcon message={error.text[locale]} data-testid="inspect-error" closable onClose={() => setError(null)} />}

      {!scanned && (
        <Card size="small" title={t('fac.inspect.scanTitle')}>
          <QrScanner onScan={(tag) => void onScan(tag)} busy={busy} testId="inspect-scanner" />
        </Card>
      )}

      {scanned && (
        <Card
          size="small"
          data-testid="checklist"
          title={
            <Flex vertical>
              <span>{scanned.resolved.checkpoint.name}</span>
              <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
                {scanned.resolved.checkpoint.place}
              </Typography.Text>
            </Flex>
          }
          extra={<Button onClick={() => setScanned(null)}>{t('fac.cancel')}</Button>}
        >
          <Flex vertical gap="large">
            {scanned.resolved.runs.length === 0 && <Alert type="warning" showIcon message={t('fac.inspect.noRun')} />}
            {checklist.map((item) => {
              const d = drafts[item.id];
              const r = results[item.id] ?? null;
              return (
                <Flex vertical gap="small" key={item.id} className="fac-item" data-testid={`item-${item.id}`} data-result={r ?? ''}>
                  <Flex justify="space-between" align="center" gap="small">
                    <Typography.Text strong>{item.label}</Typography.Text>
                    {r && <ResultBadge result={r} />}
                  </Flex>
                  {item.kind === 'check' ? (
                    <Flex gap="small">
                      <Button size="large" block type={d?.pass === true ? 'primary' : 'default'} aria-pressed={d?.pass === true} onClick={() => setDraft(item.id, { pass: true })} data-testid={`pass-${item.id}`}>
                        {t('fac.item.pass')}
                      </Button>
                      <Button size="large" block danger type={d?.pass === false ? 'primary' : 'default'} aria-pressed={d?.pass === false} onClick={() => setDraft(item.id, { pass: false })} data-testid={`fail-${item.id}`}>
                        {t('fac.item.fail')}
                      </Button>
                    </Flex>
                  ) : (
                    <Flex vertical gap={4}>
                      <InputNumber
                        size="large"
                        style={{ width: '100%' }}
                        inputMode="decimal"
                        value={d?.value ?? null}
                        onChange={(v) => setDraft(item.id, { value: typeof v === 'number' ? v : null })}
                        suffix={item.unit}
                        data-testid={`value-${item.id}`}
                      />
                      <Typography.Text type="secondary">{thresholdText(item, t)}</Typography.Text>
                    </Flex>
                  )}
                  {item.room && (
                    <RoomPowerBox
                      checkpointId={scanned.resolved.checkpoint.id}
                      room={item.room}
                      onPrefill={(off) => {
                        if (item.kind === 'check') setDraft(item.id, { pass: off });
                      }}
                    />
                  )}
                  {(needsPhoto(item, r) || item.photo === 'optional') && (
                    <PhotoField value={d?.photo ?? null} onChange={(photo) => setDraft(item.id, { photo })} testId={`photo-${item.id}`} required={needsPhoto(item, r)} />
                  )}
                  {r !== null && r !== 'green' && <Input.TextArea rows={2} placeholder={t('fac.item.note')} value={d?.note ?? ''} onChange={(e) => setDraft(item.id, { note: e.target.value })} maxLength={500} />}
                </Flex>
              );
            })}
            <Button type="primary" size="large" block disabled={missing.length > 0} loading={busy} onClick={() => void submit()} data-testid="inspect-submit">
              {missing.length > 0 ? t('fac.inspect.answerAll', { count: missing.length }) : t('fac.inspect.submit')}
            </Button>
          </Flex>
        </Card>
      )}
    </Flex>
  );
}

function thresholdText(item: Extract<ChecklistItem, { kind: 'reading' }>, t: (id: string, p?: Record<string, string | number>) => string): string {
  const { warnLow, warnHigh, alarmLow, alarmHigh } = item.thresholds;
  const unit = item.unit;
  const parts: string[] = [];
  if (warnLow !== undefined && warnHigh !== undefined) parts.push(t('fac.item.normal', { low: warnLow, high: warnHigh, unit }));
  else if (warnHigh !== undefined) parts.push(t('fac.item.normalMax', { high: warnHigh, unit }));
  else if (warnLow !== undefined) parts.push(t('fac.item.normalMin', { low: warnLow, unit }));
  if (alarmHigh !== undefined) parts.push(t('fac.item.alarmAbove', { high: alarmHigh, unit }));
  if (alarmLow !== undefined) parts.push(t('fac.item.alarmBelow', { low: alarmLow, unit }));
  return parts.join('；');
}

/** Today's open rounds with each checkpoint's result so far. */
function RunsToday({ runs, error, names }: { runs: Run[] | null; error: string | null; names: ReadonlyMap<string, string> }) {
  const { t } = useFacText();
  if (error) return <Alert type="error" showIcon message={error} />;
  if (!runs) return <Spin />;
  if (runs.length === 0) return <Typography.Text type="secondary">{t('fac.inspect.noRuns')}</Typography.Text>;
  return (
    <Flex vertical gap="small" data-testid="runs-today">
      {runs.map((run) => {
        const by = new Map(run.inspections.map((i) => [i.checkpointId, i.result]));
        return (
          <Card size="small" key={run.id} data-testid={`run-${run.id}`}>
            <Flex justify="space-between" wrap="wrap" gap="small">
              <Typography.Text strong>{run.roundName}</Typography.Text>
              <Typography.Text type="secondary">
                {hhmm(run.opensAt)}–{hhmm(run.dueAt)} · {t('fac.inspect.progress', { done: by.size, total: run.checkpoints.length })}
              </Typography.Text>
            </Flex>
            <Flex gap={4} wrap="wrap" style={{ marginTop: 6 }}>
              {run.checkpoints.map((cp) => (
                <Tag key={cp} color={tagColor(by.get(cp))} data-testid={`run-${run.id}-${cp}`} data-result={by.get(cp) ?? ''}>
                  {names.get(cp) ?? cp}
                </Tag>
              ))}
            </Flex>
          </Card>
        );
      })}
    </Flex>
  );
}

/** Checkpoint id → name, for the round chips. */
export function useCheckpointNames(): ReadonlyMap<string, string> {
  const list = useEdgeQuery(facilitiesApi.checkpoints, 'checkpoint-names');
  return useMemo(() => new Map((list.data?.checkpoints ?? []).map((c) => [c.id, c.name])), [list.data]);
}

export function tagColor(r: Result | undefined): string | undefined {
  return r === 'red' ? 'red' : r === 'yellow' ? 'gold' : r === 'green' ? 'green' : undefined;
}
