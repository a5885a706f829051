import { Tag } from 'antd';
import type { Severity } from '@campus/protocol';
import { useLocale } from '../../i18n/locale';

const COLOURS: Record<Severity, string> = {
  info: 'default',
  notice: 'processing',
  warning: 'warning',
  critical: 'error',
};

export function SeverityTag({ severity }: { severity: Severity }) {
  const { t } = useLocale();
  return (
    <Tag color={COLOURS[severity]} data-severity={severity} className="severity-tag">
      {t(`panel.severity.${severity}`)}
    </Tag>
  );
}
