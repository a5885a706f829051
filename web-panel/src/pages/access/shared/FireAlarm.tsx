import { useState } from 'react';
import { Alert, Button } from 'antd';
import { AlertFilled, FireOutlined } from '@ant-design/icons';
import type { FireAlarmView, GateView } from '@campus/protocol/access/index';
import { setFireAlarm } from '../../../api/access';
import { useSession } from '../../../auth/session';
import { useAccessText, type AccessTextId } from './useAccessText';
import { useSchoolTime } from './useSchoolTime';
import { ReasonDialog } from './ReasonDialog';

/** Raises or clears fire-alarm mode with a reason (audited by the edge). */
export function FireAlarmDialog(props: { mode: 'raise' | 'clear' | null; onDone: (view: FireAlarmView) => void; onClose: () => void }) {
  const { api } = useSession();
  const { t } = useAccessText();
  const raise = props.mode === 'raise';
  return (
    <ReasonDialog
      open={props.mode !== null}
      title={t(raise ? 'panel.access.fire.raise' : 'panel.access.fire.clear')}
      presets={[]}
      submitLabel={t(raise ? 'panel.access.fire.raise' : 'panel.access.fire.clear')}
      danger={raise}
      onSubmit={async (why) => props.onDone(await setFireAlarm(api, raise, why))}
      onClose={props.onClose}
      testId="fire-dialog"
    >
      <Alert type={raise ? 'warning' : 'info'} showIcon title={t(raise ? 'panel.access.fire.raiseHint' : 'panel.access.fire.clearHint')} />
    </ReasonDialog>
  );
}

/** Who raised it, in words: the fire panel's contact, or the guard's account. */
function fireSource(source: string | null, t: (id: AccessTextId) => string): string {
  if (source === null) return '—';
  if (source === 'fire-panel') return t('panel.access.fire.sourcePanel');
  return source.startsWith('guard:') ? source.slice('guard:'.length) : source;
}

/** Impossible to miss while active: every gate is held open and people are leaving. */
export function FireAlarmBanner(props: { fireAlarm: FireAlarmView; gates: readonly GateView[]; onChanged: () => void }) {
  const { t } = useAccessText();
  const { clock } = useSchoolTime();
  const [clearing, setClearing] = useState(false);
  const f = props.fireAlarm;
  if (!f.active) return null;
  const gateName = (id: string) => props.gates.find((g) => g.id === id)?.name ?? id;
  return (
    <div className="fire-banner" role="alert" data-testid="fire-banner">
      <AlertFilled className="fire-banner-icon" />
      <div className="fire-banner-body">
        <div className="fire-banner-title">{t('panel.access.fire.active')}</div>
        <div className="fire-banner-detail">
          {t('panel.access.fire.detail', {
            confirmed: f.confirmed,
            total: f.total,
            source: fireSource(f.source, t),
            since: f.since === null ? '—' : clock(f.since),
          })}
        </div>
        {f.gatesNotOpen.length > 0 && (
          <div className="fire-banner-detail">{t('panel.access.fire.notOpen', { gates: f.gatesNotOpen.map(gateName).join('、') })}</div>
        )}
      </div>
      <Button size="large" icon={<FireOutlined />} onClick={() => setClearing(true)} data-testid="fire-clear">
        {t('panel.access.fire.clear')}
      </Button>
      <FireAlarmDialog mode={clearing ? 'clear' : null} onDone={props.onChanged} onClose={() => setClearing(false)} />
    </div>
  );
}
