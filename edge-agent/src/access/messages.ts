import { defineMessages } from '@campus/protocol/i18n';

/**
 * Texts of the access domain that are not event reasons: API errors (`error.<code>`,
 * rendered by the HTTP layer). The roster import report's texts are protocol's
 * (`@campus/protocol/roster/messages`), shared with the cloud's import.
 */
export const accessMessages = defineMessages({
  'error.access.pass_cloud_owned': {
    'zh-CN': '通行证 {passId} 由云端签发，请在云端取消（本机取消会被云端数据恢复）；在此之前保安可拒绝放行',
    en: 'Pass {passId} was issued in the cloud; cancel it there (a local cancellation would be undone by the cloud). Until then the guard may refuse entry',
  },
  'error.access.not_ready': { 'zh-CN': '门禁模块正在启动，请稍后再试', en: 'Gate access is starting; try again shortly' },
  'error.access.unknown_gate': { 'zh-CN': '没有这个闸机：{gate}', en: 'No such gate: {gate}' },
  'error.access.unknown_zone': { 'zh-CN': '没有这个区域：{zone}', en: 'No such zone: {zone}' },
  'error.access.unknown_person': { 'zh-CN': '名单中没有此人：{personId}', en: 'No such person on the roster: {personId}' },
  'error.access.unknown_class': { 'zh-CN': '没有这个班级：{classId}', en: 'No such class: {classId}' },
  'error.access.unknown_grade': { 'zh-CN': '没有这个年级：{gradeId}', en: 'No such grade: {gradeId}' },
  'error.access.person_exists': { 'zh-CN': '学号/工号 {personId} 已存在', en: 'Person id {personId} already exists' },
  'error.access.not_student': { 'zh-CN': '{personId} 不是学生', en: '{personId} is not a student' },
  'error.access.not_dormitory': { 'zh-CN': '{zone} 不是宿舍区', en: '{zone} is not a dormitory zone' },
  'error.access.bad_time': { 'zh-CN': '时间「{value}」无法识别', en: 'Cannot read the time "{value}"' },
  'error.access.bad_window': {
    'zh-CN': '结束时间必须晚于开始时间，且最长 {maxDays} 天',
    en: 'The end must be after the start, and at most {maxDays} days later',
  },
  'error.access.no_places': { 'zh-CN': '访客通行证至少要指定一个闸机或区域', en: 'A visitor pass needs at least one gate or zone' },
  'error.access.no_pass_key': {
    'zh-CN': '本网关未配置通行证密钥（access.visitorKeyId），不能签发通行证',
    en: 'This edge has no pass key (access.visitorKeyId) and cannot issue passes',
  },
  'error.access.pass_ids_exhausted': { 'zh-CN': '本网关可用的通行证编号已用完', en: 'This edge has used up its pass numbers' },
  'error.access.pass_too_long': { 'zh-CN': '通行证内容过长：{detail}', en: 'The pass does not fit on a QR code: {detail}' },
  'error.access.no_turnstile': { 'zh-CN': '闸机 {gate} 没有接入可控制的闸机继电器', en: 'Gate {gate} has no turnstile relay to open' },
  'error.access.card_version_below_floor': {
    'zh-CN': '卡版本 {version} 低于当前有效的最低版本 {minCardVersion}',
    en: 'Card version {version} is below the lowest valid version {minCardVersion}',
  },
  'error.access.no_photo': { 'zh-CN': '{personId} 没有照片', en: '{personId} has no photo' },
  'error.access.bad_photo': { 'zh-CN': '照片必须是 JPEG 或 PNG，且不超过 {maxKb} KB', en: 'A photo must be JPEG or PNG, at most {maxKb} KB' },
});

export type AccessMessageId = keyof typeof accessMessages;
