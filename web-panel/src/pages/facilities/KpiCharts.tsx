import { Card, Col, Empty, Row } from 'antd';
import type { Kpi } from './api';
import { useFacText } from './useFacText';

type KpiRow = Kpi['rows'][number];
type Tr = (id: string, params?: Record<string, string | number>) => string;

/** One chart of the KPI page: a metric of each row (null = no data for that row). */
export interface KpiMetric {
  id: 'response' | 'repair' | 'sla' | 'reopen' | 'backlog' | 'rating';
  value: (r: KpiRow) => number | null;
  /** How a value reads on its bar. */
  format: (v: number, t: Tr) => string;
  /** The axis's end: a fixed scale (percent, 5 stars) or the largest value. */
  max?: number;
  /** Higher is worse (response times, backlog): drawn in the warning colour past `warnAt`. */
  warnAt?: (v: number) => boolean;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const min = (v: number, t: Tr) => (v < 120 ? t('fac.kpi.minutes', { n: v.toFixed(0) }) : t('fac.kpi.hours', { n: (v / 60).toFixed(1) }));

export const KPI_METRICS: readonly KpiMetric[] = [
  { id: 'response', value: (r) => r.avgResponseMin, format: min },
  { id: 'repair', value: (r) => r.avgRepairMin, format: min },
  { id: 'sla', value: (r) => (r.slaMet + r.slaMissed ? r.slaMet / (r.slaMet + r.slaMissed) : null), format: pct, max: 1, warnAt: (v) => v < 0.9 },
  { id: 'reopen', value: (r) => r.reopenRate, format: pct, max: 1, warnAt: (v) => v > 0.1 },
  { id: 'backlog', value: (r) => r.backlog, format: (v) => String(v) },
  { id: 'rating', value: (r) => r.avgRating, format: (v) => v.toFixed(1), max: 5, warnAt: (v) => v < 3.5 },
];

const ROW_H = 22;
const LABEL_W = 96;
const VALUE_W = 52;
const WIDTH = 360;

/**
 * A horizontal bar chart in plain SVG (no chart library: the KPI page stays a small chunk):
 * one bar per worker / category / building, its value written at the end.
 */
export function BarChart({ metric, rows, label }: { metric: KpiMetric; rows: readonly KpiRow[]; label: (key: string) => string }) {
  const { t } = useFacText();
  const points = rows.map((r) => ({ key: r.key, v: metric.value(r) }));
  const max = metric.max ?? Math.max(1e-9, ...points.map((p) => p.v ?? 0));
  const barW = WIDTH - LABEL_W - VALUE_W;
  const height = points.length * ROW_H + 4;
  return (
    <svg className="fac-chart" viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" data-testid={`kpi-chart-${metric.id}`} style={{ maxHeight: height * 1.5 }}>
      {points.map((p, i) => {
        const y = i * ROW_H + 2;
        const w = p.v === null ? 0 : Math.max(1, (Math.min(p.v, max) / max) * barW);
        const warn = p.v !== null && metric.warnAt?.(p.v);
        return (
          <g key={p.key} data-testid={`kpi-bar-${metric.id}-${p.key}`} data-value={p.v ?? ''}>
            <text x={LABEL_W - 6} y={y + ROW_H / 2 + 4} textAnchor="end" fontSize="12" fill="currentColor">
              {truncate(label(p.key), 8)}
            </text>
            <rect x={LABEL_W} y={y + 3} width={w} height={ROW_H - 6} rx="2" fill={warn ? '#fa8c16' : '#1677ff'} />
            <text x={LABEL_W + w + 4} y={y + ROW_H / 2 + 4} fontSize="11" fill="currentColor">
              {p.v === null ? '—' : metric.format(p.v, t)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The six KPI charts side by side at the desk (two columns), stacked on a phone. */
export function KpiCharts({ rows, label }: { rows: readonly KpiRow[]; label: (key: string) => string }) {
  const { t } = useFacText();
  if (!rows.length) return <Empty description={t('fac.kpi.empty')} />;
  return (
    <Row gutter={[12, 12]} data-testid="kpi-charts">
      {KPI_METRICS.map((m) => (
        <Col xs={24} md={12} xl={8} key={m.id}>
          <Card size="small" title={t(`fac.kpi.chart.${m.id}`)}>
            <BarChart metric={m} rows={rows} label={label} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}
