import { Badge, Tooltip } from 'antd';
import { useLocale } from '../i18n/locale';
import { useLiveStatus } from '../live/connection';

/** The live connection's state; `compact` (the phone's top bar) says it in two characters. */
export function LiveBadge({ compact = false }: { compact?: boolean }) {
  const { t } = useLocale();
  const status = useLiveStatus();
  const connected = status === 'connected';
  const full = t(connected ? 'panel.live.connected' : 'panel.live.disconnected');
  const badge = (
    <Badge
      data-testid="live-status"
      data-status={status}
      status={connected ? 'processing' : 'error'}
      text={<span className="header-text">{compact ? t(connected ? 'panel.live.connectedShort' : 'panel.live.disconnectedShort') : full}</span>}
    />
  );
  return compact ? <Tooltip title={full}>{badge}</Tooltip> : badge;
}
