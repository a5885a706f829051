import type { Locale, Params } from '@campus/protocol/i18n';
import type { DistrictReport } from '@campus/protocol/district/report';
import { panelTranslate } from '../../i18n/translate';
import { districtPageMessages, type DistrictPageMessageId } from './messages';

/**
 * The district page's charts as plain SVG and CSS bars (no chart library), and its
 * texts. No antd here, so they render anywhere (the page's tests render them on the server).
 */
export type DistrictT = (id: DistrictPageMessageId, params?: Params) => string;

export function districtText(locale: Locale): DistrictT {
  return (id, params) => panelTranslate(locale, id, params, districtPageMessages);
}

export const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

/** A horizontal CSS bar with its value: no chart library. */
export function Bar({ value, max, label, text, testId }: { value: number | null; max: number; label: string; text: string; testId?: string }) {
  const width = value === null || max <= 0 ? 0 : Math.max(0, Math.min(100, (value / max) * 100));
  return (
    <div className="district-bar" data-testid={testId} style={{ display: 'grid', gridTemplateColumns: 'minmax(6em, 12em) 1fr 5em', alignItems: 'center', gap: 8 }}>
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{label}</span>
      <div style={{ background: '#f0f0f0', height: 12, borderRadius: 6 }}>
        <div style={{ width: `${width}%`, background: '#1677ff', height: 12, borderRadius: 6 }} />
      </div>
      <span style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{text}</span>
    </div>
  );
}

/** Monthly attendance as an SVG column chart (energy as a line of dots above). */
export function MonthChart({ months, t }: { months: DistrictReport['months']; t: DistrictT }) {
  const w = 40 * Math.max(1, months.length);
  const maxKwh = Math.max(1, ...months.map((m) => m.energyKwh));
  return (
    <svg role="img" aria-label={t('district.chart.months')} viewBox={`0 0 ${w} 120`} width="100%" height={140} preserveAspectRatio="none" data-testid="district-months">
      {months.map((m, i) => {
        const h = (m.attendanceRate ?? 0) * 90;
        const e = 100 - (m.energyKwh / maxKwh) * 90;
        return (
          <g key={m.month}>
            <rect x={i * 40 + 8} y={100 - h} width={24} height={h} fill="#1677ff">
              <title>{`${m.month} ${t('district.kpi.attendance')} ${t('district.value.percent', { value: pct(m.attendanceRate) ?? '—' })}`}</title>
            </rect>
            <circle cx={i * 40 + 20} cy={e} r={3} fill="#fa8c16">
              <title>{`${m.month} ${t('district.value.kwh', { value: m.energyKwh })}`}</title>
            </circle>
            <text x={i * 40 + 20} y={115} fontSize={8} textAnchor="middle">
              {m.month.slice(2)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}


/** What the cloud cannot report from what it stores, in the reader's language. */
export function UnavailableList({ report, locale }: { report: DistrictReport; locale: Locale }) {
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="district-unavailable">
      {report.unavailable.map((u) => (
        <li key={u.id}>{u.text[locale]}</li>
      ))}
    </ul>
  );
}

/** One bar per school: its attendance rate (of 100 %), or its energy per pupil (of the highest). */
export function SchoolBars({ report, t, metric }: { report: DistrictReport; t: DistrictT; metric: 'attendance' | 'energy' }) {
  const none = t('district.value.none');
  if (metric === 'attendance') {
    return (
      <>
        {report.schools.map((s) => (
          <Bar key={s.schoolId} label={s.name} value={s.attendanceRate} max={1} text={s.attendanceRate === null ? none : t('district.value.percent', { value: pct(s.attendanceRate)! })} testId="attendance-bar" />
        ))}
      </>
    );
  }
  const max = Math.max(0, ...report.schools.map((s) => s.energyKwhPerPupil ?? 0));
  return (
    <>
      {report.schools.map((s) => (
        <Bar key={s.schoolId} label={s.name} value={s.energyKwhPerPupil} max={max} text={s.energyKwhPerPupil === null ? none : String(s.energyKwhPerPupil)} testId="energy-bar" />
      ))}
    </>
  );
}
