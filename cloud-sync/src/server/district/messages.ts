import { defineMessages } from '@campus/protocol';

/** Texts of the district view. zh-CN first. */
export const districtMessages = defineMessages({
  'district.unavailable.bus': {
    'zh-CN': '校车准点率：云端尚未保存线路时刻表，暂无法计算',
    en: 'Bus punctuality: the cloud stores no route timetables yet, so it cannot be computed',
  },
  'district.unavailable.repairs': {
    'zh-CN': '报修 KPI：工单事件尚未汇总到云端日报表',
    en: 'Repair KPIs: work-order events are not rolled up in the cloud yet',
  },
  'district.unavailable.present': {
    'zh-CN': '出勤率按“名册在校生 − 缺勤事件”估算：边缘网关不上传每日到校人数',
    en: 'Attendance is estimated as "students on the roster − absence events": edges do not upload a daily count of pupils present',
  },
  'district.rebuild.queued': { 'zh-CN': '已排队重算 {count} 所学校的日汇总', en: 'Rebuilding the daily roll-up of {count} schools' },
});
