import { Badge } from 'antd';
import { useLocale } from '../i18n/locale';
import { useLiveStatus } from '../live/connection';

export function LiveBadge() {
  const { t } = useLocale();
  const status = useLiveStatus();
  const connected = status === 'connected';
  return (
    <Badge
      data-testid="live-status"
      data-status={status}
      status={connected ? 'processing' : 'error'}
      text={<span className="header-text">{t(connected ? 'panel.live.connected' : 'panel.live.disconnected')}</span>}
    />
  );
}
