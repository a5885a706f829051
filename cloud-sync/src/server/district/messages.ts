import { defineMessages } from '@campus/protocol';

/** Texts of the district view. zh-CN first. */
export const districtMessages = defineMessages({
  'district.unavailable.bus': {
    'zh-CN': '校车准点率：所选范围内没有带时刻表的到站记录（学校未启用校车网关，或线路站点未设时刻），无法计算',
    en: 'Bus punctuality: no stop arrivals with a timetable time in this range (no bus box, or route stops without times), so it cannot be computed',
  },
  'district.unavailable.repairs': {
    'zh-CN': '报修 KPI：所选范围内没有工单事件上传到云端（学校未启用后勤模块或网关未同步）',
    en: 'Repair KPIs: no work-order events reached the cloud in this range (facilities not enabled at the schools, or edges not syncing)',
  },
  'district.unavailable.attendance': {
    'zh-CN': '出勤率：所选范围内没有入校刷卡或考勤记录上传到云端，无法计算',
    en: 'Attendance: no gate entries or attendance events reached the cloud in this range, so it cannot be computed',
  },
  'district.note.attendance': {
    'zh-CN': '出勤率 = 每个上学日有入校记录的在册学生人数之和 ÷（在册学生数 × 上学日）；迟到与缺勤来自校内网关按课表和校历的考勤判定',
    en: 'Attendance = pupils on the roster with a gate entry, summed over school days ÷ (roster students × school days); late and absent come from the edge\'s attendance sweep against its timetable and calendar',
  },
  'district.note.bus': { 'zh-CN': '校车准点：到站时间不晚于时刻表 {minutes} 分钟', en: 'Bus on time: a stop reached no more than {minutes} min after its timetable time' },
  'district.rebuild.queued': { 'zh-CN': '已排队重算 {count} 所学校的日汇总', en: 'Rebuilding the daily roll-up of {count} schools' },
});
