import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DistrictReport } from '@campus/protocol/district/report';
import { MonthChart, SchoolBars, UnavailableList, districtText } from '../../src/console/district/charts';
import type { Locale } from '@campus/protocol/i18n';

const school = (schoolId: string, name: string, attendanceRate: number | null, energyKwhPerPupil: number | null) => ({
  schoolId,
  name,
  students: 10,
  schoolDays: attendanceRate === null ? 0 : 1,
  present: attendanceRate === null ? 0 : Math.round(attendanceRate * 10),
  attendanceRate,
  absenceRate: attendanceRate === null ? null : 1 - attendanceRate,
  lateRate: attendanceRate === null ? null : 0.125,
  late: 1,
  absent: 2,
  leftEarly: 0,
  entries: 8,
  gateIncidents: 3,
  gateRefused: 2,
  gateForced: 1,
  fireAlarms: 0,
  energyKwh: 8,
  energyKwhPerPupil,
  afterHoursKwh: 1,
  afterHoursShare: 0.125,
  usbBlocked: 3,
  busArrivals: 4,
  busOnTime: 3,
  busPunctuality: 0.75,
  repairsOpened: 2,
  repairsDone: 1,
  repairsConfirmed: 1,
  repairsSlaBreached: 0,
  repairRating: 4.5,
});

// Typed by the one schema the cloud answers with (the cloud's district test parses its answers with it).
const report: DistrictReport = {
  from: '2026-11-01',
  to: '2026-11-05',
  schools: [school('a', '区甲校', 0.8, 0.8), school('b', '区乙校', null, null)],
  total: { ...school('t', '', 0.8, 0.4), schools: 2 },
  months: [{ month: '2026-11', attendanceRate: 0.8, lateRate: 0.0833, energyKwh: 10, afterHoursKwh: 1.5, gateIncidents: 3, usbBlocked: 3, busPunctuality: 0.75, repairsOpened: 2 }],
  unavailable: [{ id: 'district.unavailable.bus', text: { 'zh-CN': '校车准点率：云端尚未保存线路时刻表', en: 'Bus punctuality: no timetables in the cloud' } }],
};

/** What the page draws from a report (its antd frame aside, which the console's browser tests cover). */
function View({ report, locale }: { report: DistrictReport; locale: Locale }) {
  const t = districtText(locale);
  return (
    <div>
      <h4>{t('district.chart.attendance')}</h4>
      <SchoolBars report={report} t={t} metric="attendance" />
      <SchoolBars report={report} t={t} metric="energy" />
      <MonthChart months={report.months} t={t} />
      <UnavailableList report={report} locale={locale} />
      {report.schools.length === 0 ? <p>{t('district.page.empty')}</p> : null}
    </div>
  );
}

describe('district page', () => {
  it('shows rates, bars and what is not available, in Chinese first', () => {
    const html = renderToStaticMarkup(<View report={report} locale="zh-CN" />);
    expect(html).toContain('区甲校');
    expect(html).toContain('各校出勤率');
    expect(html).toContain('80%');
    // The attendance bar of 区甲校 is 80 % wide; 区乙校 has no school day: an empty bar and a dash.
    expect(html).toMatch(/width:80%/);
    expect(html).toMatch(/width:0%/);
    expect(html).toContain('—');
    expect(html).toContain('校车准点率');
    expect(html).toContain('<svg');
  });

  it('speaks English when asked', () => {
    const html = renderToStaticMarkup(<View report={report} locale="en" />);
    expect(html).toContain('Attendance by school');
    expect(html).toContain('Bus punctuality');
    expect(html).not.toContain('校车准点率');
  });

  it('says so when the range holds no data', () => {
    const html = renderToStaticMarkup(<View report={{ ...report, schools: [], months: [] }} locale="zh-CN" />);
    expect(html).toContain('所选时间内没有数据');
  });
});
