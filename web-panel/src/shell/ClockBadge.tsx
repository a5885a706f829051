import { Tag, Tooltip } from 'antd';
import { ClockCircleOutlined, WarningOutlined } from '@ant-design/icons';
import type { SystemInfo } from '../api/types';
import { useLocale } from '../i18n/locale';

/** Tells staff whether event times can be believed (edge boxes often boot without a clock). */
export function ClockBadge({ clock }: { clock: SystemInfo['clock'] }) {
  const { t } = useLocale();
  if (clock.trusted) {
    return (
      <Tooltip title={t('panel.clock.trustedHint', { source: clock.source })}>
        <Tag icon={<ClockCircleOutlined />} color="success" data-testid="clock-badge">
          {t('panel.clock.trusted')}
        </Tag>
      </Tooltip>
    );
  }
  return (
    <Tooltip title={t('panel.clock.untrustedHint', { source: clock.source })}>
      <Tag icon={<WarningOutlined />} color="warning" data-testid="clock-badge">
        {t('panel.clock.untrusted')}
      </Tag>
    </Tooltip>
  );
}
