import { useDeferredValue, useMemo, useState } from 'react';
import { Alert, Button, Flex, message, Segmented, Spin, Typography } from 'antd';
import { UnlockOutlined } from '@ant-design/icons';
import type { PanelEvent } from '../../../api/types';
import { useAccessText } from '../shared/useAccessText';
import { FireAlarmBanner } from '../shared/FireAlarm';
import { useGatesOverview } from '../shared/useGatesOverview';
import { atGate, mayOverride, overridesByRefusal, toGateDecision, type GateDecision } from './decisions';
import { DecisionCard } from './DecisionCard';
import { storedGate, storeGate } from './gateChoice';
import { OverrideDialog, type OverrideTarget } from './OverrideDialog';
import { useDecisionFeed } from './useDecisionFeed';
import '../access.css';

const ALL = '*';
/** The list under the latest scan; older ones stay in 实时事件. */
const RECENT_SHOWN = 30;
const NONE: GateDecision[] = [];

function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** 门岗实时: each decision as it happens, big enough to read from the gate-house door. */
export default function GateLivePage() {
  const { locale, t } = useAccessText();
  const [notice, noticeHolder] = message.useMessage();
  const overview = useGatesOverview(false);
  const feed = useDecisionFeed();
  const gates = useMemo(() => overview.data?.gates ?? [], [overview.data]);
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  // Until the guard picks, the tablet shows the gate it showed last time (once gates are known).
  const gateId = chosen !== undefined ? chosen : storedGate(browserStorage(), gates.map((g) => g.id));
  const [target, setTarget] = useState<OverrideTarget | null>(null);

  const shown = useMemo(() => atGate(feed.decisions, gateId), [feed.decisions, gateId]);
  const overrides = useMemo(() => overridesByRefusal(feed.decisions), [feed.decisions]);
  const latest = shown[0];
  // The latest scan paints first; the list below follows in a background render, so a
  // slow phone shows the guard the decision that matters without waiting for 30 rows.
  const recent = useMemo(() => shown.slice(1, RECENT_SHOWN + 1), [shown]);
  const deferredRecent = useDeferredValue(recent, NONE);

  const choose = (value: string) => {
    const next = value === ALL ? null : value;
    storeGate(browserStorage(), next);
    setChosen(next);
  };

  const onOverridden = (event: PanelEvent) => {
    feed.add(event);
    const d = toGateDecision(event);
    if (d) void notice.success(t('panel.access.override.done', { gate: d.gateName }));
  };

  const card = (d: GateDecision, variant: 'hero' | 'row') => (
    <DecisionCard
      key={d.id}
      decision={d}
      variant={variant}
      answeredBy={overrides.get(d.id)}
      live={feed.liveIds.has(d.id)}
      onOverride={mayOverride(d, overrides) ? () => setTarget({ kind: 'refusal', decision: d }) : undefined}
    />
  );

  return (
    <Flex vertical gap="middle" className="gate-live" data-testid="gate-live">
      {noticeHolder}
      {overview.data && <FireAlarmBanner fireAlarm={overview.data.fireAlarm} gates={gates} onChanged={overview.reload} />}
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Typography.Title level={3} className="page-title">
          {t('panel.menu.access.live')}
        </Typography.Title>
        <Flex gap="middle" wrap="wrap" align="center" className="gate-filter-bar">
          <Segmented
            size="large"
            data-testid="gate-filter"
            value={gateId ?? ALL}
            onChange={(v) => choose(String(v))}
            options={[{ value: ALL, label: t('panel.access.allGates') }, ...gates.map((g) => ({ value: g.id, label: g.name }))]}
          />
          <Button size="large" icon={<UnlockOutlined />} onClick={() => setTarget({ kind: 'manual', gateId })} disabled={gates.length === 0} data-testid="manual-open" className="manual-open">
            {t('panel.access.live.manualOpen')}
          </Button>
        </Flex>
      </Flex>
      {(feed.error ?? overview.error) && (
        <Alert
          type="error"
          showIcon
          title={(feed.error ?? overview.error)!.text[locale]}
          action={
            <Button
              onClick={() => {
                feed.reload();
                overview.reload();
              }}
            >
              {t('panel.action.retry')}
            </Button>
          }
        />
      )}
      <div className="gate-live-main">
        <div className="gate-live-latest">
          {feed.loading ? (
            <Spin size="large" className="page-spinner" />
          ) : latest ? (
            card(latest, 'hero')
          ) : (
            <div className="decision-waiting" data-testid="decision-waiting">
              {t(gateId === null ? 'panel.access.live.waiting' : 'panel.access.live.noneAtGate')}
            </div>
          )}
        </div>
        {deferredRecent.length > 0 && (
          <section className="decision-list" data-testid="decision-list">
            <Typography.Title level={4}>{t('panel.access.live.recent')}</Typography.Title>
            {deferredRecent.map((d) => card(d, 'row'))}
          </section>
        )}
      </div>
      <OverrideDialog target={target} gates={gates} onDone={onOverridden} onClose={() => setTarget(null)} />
    </Flex>
  );
}
