import { Tag } from 'antd';
import type { OrderPriority, Result } from '@campus/protocol/facilities/api';
import { useFacText } from './useFacText';

/** School-local clock time of an instant (the panel runs on the campus). */
export function hhmm(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function dayTime(at: number): string {
  const d = new Date(at);
  return `${d.getMonth() + 1}/${d.getDate()} ${hhmm(at)}`;
}

const COLORS: Record<Result, string> = { red: 'red', yellow: 'gold', green: 'green' };

export function ResultBadge({ result }: { result: Result }) {
  const { t } = useFacText();
  return (
    <Tag color={COLORS[result]} className="fac-badge" data-result={result}>
      {t(`fac.result.${result}`)}
    </Tag>
  );
}

export const CATEGORIES = ['electrical', 'plumbing', 'hvac', 'glazing', 'carpentry', 'network', 'general'] as const;
/** protocol's PRIORITIES (the panel imports only protocol's types). */
export const PRIORITY_LIST = ['urgent', 'high', 'normal', 'low'] as const satisfies readonly OrderPriority[];
export const PRIORITY_COLORS: Record<string, string> = { urgent: 'red', high: 'orange', normal: 'blue', low: 'default' };
export const STATE_COLORS: Record<string, string> = { submitted: 'default', dispatched: 'blue', accepted: 'cyan', in_progress: 'geekblue', done: 'green', confirmed: 'success', reopened: 'volcano' };

/** A category's name; categories the panel does not know by name show their id. */
export function categoryLabel(t: (id: string) => string, category: string): string {
  return (CATEGORIES as readonly string[]).includes(category) ? t(`fac.category.${category}`) : category;
}
