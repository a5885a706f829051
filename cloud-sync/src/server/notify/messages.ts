import { defineMessages } from '@campus/protocol';

/** Notice texts sent to guardians (zh-CN first). `{when}` is "08:02" or "11月27日 08:02". */
export const noticeMessages = defineMessages({
  'notice.title': { 'zh-CN': '校园通知', en: 'School notice' },
  'notice.entry': { 'zh-CN': '{when} {name} 入校{gate}', en: '{name} entered school at {when}{gate}' },
  'notice.exit': { 'zh-CN': '{when} {name} 离校{gate}', en: '{name} left school at {when}{gate}' },
  'notice.late': { 'zh-CN': '{when} {name} 迟到', en: '{name} was late ({when})' },
  'notice.absence': { 'zh-CN': '{name} 今日缺勤（{when} 记录）', en: '{name} is absent today (recorded {when})' },
  'notice.board': { 'zh-CN': '{when} {name} {stop}上车{route}', en: '{name} got on the school bus{stop} at {when}{route}' },
  'notice.alight': { 'zh-CN': '{when} {name} {stop}下车{route}', en: '{name} got off the school bus{stop} at {when}{route}' },
  'notice.bus.stop': { 'zh-CN': '在{stop}', en: ' at {stop}' },
  'notice.bus.route': { 'zh-CN': '（{route}）', en: ' ({route})' },
  'notice.safety.bus_handover_failed': {
    'zh-CN': '{when} {name} {stop}下车时无人接{route}，孩子留在校车上随车返校，请尽快联系学校',
    en: 'Nobody collected {name} from the school bus{stop} at {when}{route}; the child stays on the bus back to school. Please contact the school',
  },
  'notice.safety': { 'zh-CN': '{when} {name} 安全提醒，请尽快联系学校', en: 'Safety alert for {name} at {when}; please contact the school' },
  'notice.gate': { 'zh-CN': '（{gate}）', en: ' ({gate})' },
  'notice.delayed': { 'zh-CN': '（延迟送达）', en: ' (delivered late)' },
  'notice.summary.title': { 'zh-CN': '免打扰时段通知汇总', en: 'Notices from quiet hours' },
  'notice.summary': { 'zh-CN': '免打扰时段内共 {count} 条通知：{items}', en: '{count} notices during quiet hours: {items}' },
  'notice.summary.more': { 'zh-CN': '更早的 {count} 条略', en: '{count} earlier not listed' },
  'notice.otp': { 'zh-CN': '【智慧校园】您的登录验证码是 {code}，{minutes} 分钟内有效。', en: '[Smart Campus] Your sign-in code is {code}, valid for {minutes} minutes.' },
});
