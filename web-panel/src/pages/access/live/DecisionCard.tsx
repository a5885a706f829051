import { Button, Tag, Tooltip } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, UnlockOutlined, WarningOutlined } from '@ant-design/icons';
import { useAccessText } from '../shared/useAccessText';
import { useSchoolTime } from '../shared/useSchoolTime';
import { PersonPhoto, type PhotoSubject } from '../shared/PersonPhoto';
import { identityOf, type GateDecision } from './decisions';
import { chineseSpacing } from '../../../format/spacing';

export interface DecisionCardProps {
  decision: GateDecision;
  /** hero: the latest scan, readable from across the gate house; row: the list below it. */
  variant: 'hero' | 'row';
  /** The override that answered this refusal, if any. */
  answeredBy?: GateDecision;
  /** Shown on refusals not yet answered. */
  onOverride?: () => void;
  live: boolean;
}

function photoSubject(d: GateDecision): PhotoSubject {
  const who = identityOf(d);
  if (who.kind === 'person') return { kind: 'person', personId: who.personId, name: who.name };
  if (who.kind === 'pass' && who.personId !== null && who.name !== null) return { kind: 'person', personId: who.personId, name: who.name };
  return { kind: who.kind === 'pass' ? 'pass' : 'unknown' };
}

/** One gate decision: photo, who, 通过/拒绝, why, where and when. */
export function DecisionCard({ decision: d, variant, answeredBy, onOverride, live }: DecisionCardProps) {
  const { locale, t } = useAccessText();
  const { clock } = useSchoolTime();
  const who = identityOf(d);
  let name: string;
  let detail: string | null = null;
  if (who.kind === 'person') {
    name = who.name;
    detail = who.className;
  } else if (who.kind === 'pass') {
    name = who.name ?? t(who.credential === 'visitor' ? 'panel.access.live.visitorPass' : 'panel.access.live.pickupPass', { passId: who.passId });
    detail = who.name ? t(who.credential === 'visitor' ? 'panel.access.live.visitorPass' : 'panel.access.live.pickupPass', { passId: who.passId }) : null;
  } else {
    name = t('panel.access.live.unidentified');
    detail = who.personId;
  }
  const Verdict = d.granted ? CheckCircleFilled : CloseCircleFilled;

  return (
    <article
      className={`decision decision-${variant} ${d.granted ? 'decision-granted' : 'decision-denied'}${live ? ' decision-live' : ''}`}
      data-testid={`decision-${variant}`}
      data-decision-id={d.id}
      data-granted={String(d.granted)}
    >
      <PersonPhoto key={d.id} subject={photoSubject(d)} size={variant === 'hero' ? 'large' : 'small'} />
      <div className="decision-body">
        <div className="decision-who">
          <span className="decision-name" data-testid="decision-name">
            {name}
          </span>
          {detail && <span className="decision-class">{detail}</span>}
        </div>
        <div className="decision-reason" data-testid="decision-reason">
          {locale === 'zh-CN' ? chineseSpacing(d.text[locale]) : d.text[locale]}
        </div>
        <div className="decision-where">
          <span data-testid="decision-gate">
            {t('panel.access.live.gateDirection', { gate: d.gateName, direction: t(`panel.access.direction.${d.direction}`) })}
          </span>
          <span className="decision-time">
            {clock(d.occurredAt)}
            {!d.clockTrusted && (
              <Tooltip title={t('panel.events.clockUntrusted')}>
                <WarningOutlined className="clock-untrusted-mark" aria-label={t('panel.events.clockUntrusted')} />
              </Tooltip>
            )}
          </span>
        </div>
        {d.opened === 'relay-failed' && (
          <Tag color="warning" icon={<WarningOutlined />}>
            {t('panel.access.live.relayFailed')}
          </Tag>
        )}
        {d.suppressedBefore > 0 && <div className="decision-note">{t('panel.access.live.folded', { count: d.suppressedBefore })}</div>}
        {answeredBy && (
          <div className="decision-note" data-testid="decision-answered">
            <Tag color="gold">{t('panel.access.live.overridden')}</Tag>
            {t('panel.access.live.overriddenBy', { by: answeredBy.overrideBy ?? '', why: answeredBy.overrideWhy ?? '' })}
          </div>
        )}
      </div>
      <div className="decision-side">
        <span className="decision-verdict" data-testid="decision-verdict">
          <Verdict /> {t(d.granted ? 'panel.access.granted' : 'panel.access.denied')}
        </span>
        {d.reason === 'access.override' && <Tag color="gold">{t('panel.access.live.byHand')}</Tag>}
        {onOverride && (
          <Button
            type="primary"
            size="large"
            icon={<UnlockOutlined />}
            className="decision-override"
            data-testid="decision-override"
            onClick={onOverride}
          >
            {t('panel.access.live.override')}
          </Button>
        )}
      </div>
    </article>
  );
}
