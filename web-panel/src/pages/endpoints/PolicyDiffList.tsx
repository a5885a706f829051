import { Badge, Flex, Typography } from 'antd';
import { useLocale } from '../../i18n/locale';
import type { PolicyChange } from './api';
import { targetLabel } from './labels';

const KIND_STATUS = { added: 'success', removed: 'error', changed: 'warning', moved: 'processing' } as const;

/** A policy diff as sentences IT can check before pushing. */
export function PolicyDiffList({ changes, empty }: { changes: PolicyChange[]; empty: string }) {
  const { t } = useLocale();
  const value = (v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'boolean') return v ? 'ON' : 'OFF';
    if (typeof v === 'object' && v && 'enabled' in v) return (v as { enabled: boolean }).enabled ? 'ON' : 'OFF';
    if (v === 'deny' || v === 'allow') return t(`panel.endpoints.default.${v}`);
    return String(v);
  };
  const sentence = (c: PolicyChange): string => {
    if (c.section === 'target') return t('panel.endpoints.diff.target', { before: targetLabel(t, c.before), after: targetLabel(t, c.after) });
    if (c.section === 'settings') return t('panel.endpoints.diff.setting', { field: t(`panel.endpoints.field.${c.field}`), before: value(c.before), after: value(c.after) });
    const section = t(`panel.endpoints.diff.section.${c.section}`);
    if (c.kind === 'moved') return t('panel.endpoints.diff.moved', { section, id: c.id, from: c.from + 1, to: c.to + 1 });
    return t(`panel.endpoints.diff.${c.kind}`, { section, id: c.id });
  };
  if (changes.length === 0) return <Typography.Text type="secondary" data-testid="policy-diff-empty">{empty}</Typography.Text>;
  return (
    <Flex vertical gap={6} component="ul" className="policy-diff" data-testid="policy-diff">
      {changes.map((c, i) => (
        <Flex key={i} component="li" align="center" gap={8} className="policy-change" data-kind={c.kind} data-section={c.section}>
          <Badge status={c.section === 'target' || c.section === 'settings' ? 'warning' : KIND_STATUS[c.kind]} />
          <span>{sentence(c)}</span>
        </Flex>
      ))}
    </Flex>
  );
}
