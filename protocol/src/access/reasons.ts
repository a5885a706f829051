import { defineMessages } from '../i18n/index.js';

/**
 * Reason codes of gate decisions and attendance. The event's `reason` is the code; the
 * text is message `reason.<code>` (the panel renders `reason.` + event.reason), zh-CN
 * first. Parameters come from the event's data (personName, gateName, ...). Credential
 * failures keep their own codes (`credential.*`, texts in credentials/reasons.ts) and
 * bad reader frames theirs (`reader.frame.*`).
 */
export const ACCESS_GRANT_REASONS = [
  'access.granted',
  'access.granted.leave',
  'access.granted.visitor',
  'access.granted.pickup',
  'access.granted.passback_soft',
  'access.granted.late_return',
  'access.granted.fire_alarm',
  'access.override',
] as const;

export const ACCESS_DENY_REASONS = [
  'access.key_not_allowed',
  'access.person_unknown',
  'access.person_inactive',
  'access.role_not_allowed',
  'access.not_boarder',
  'access.wrong_dormitory',
  'access.anti_passback.in',
  'access.anti_passback.out',
  'access.school_hours',
  'access.boarder_needs_leave',
  'access.curfew',
  'access.dormitory_closed',
  'access.direction_not_allowed',
  'access.pass_unknown',
  'access.pass_cancelled',
  'access.pass_used',
  'access.pass_wrong_gate',
  'access.pass_wrong_zone',
  'reader.frame.overlong',
  'reader.frame.no_suffix',
  'reader.frame.garbage',
  'reader.frame.truncated',
] as const;

export const ACCESS_OTHER_REASONS = [
  'access.passage.passed',
  'access.passage.not_passed',
  'access.passage.unexpected',
  'access.passage.cancelled',
  'access.fire_alarm.active',
  'access.fire_alarm.gate_not_open',
  'access.fire_alarm.cleared',
  'access.device.online',
  'access.device.offline',
  'access.card.revoked',
  'access.roster.imported',
  'access.leave.created',
  'access.leave.cancelled',
  'access.pass.created',
  'access.pass.cancelled',
  'access.health.undeclared',
  'attendance.late',
  'attendance.absent',
  'attendance.left_early',
  'attendance.left_with_leave',
] as const;

export type AccessGrantReason = (typeof ACCESS_GRANT_REASONS)[number];
export type AccessDenyReason = (typeof ACCESS_DENY_REASONS)[number];
export type AccessReason = AccessGrantReason | AccessDenyReason | (typeof ACCESS_OTHER_REASONS)[number];

export const accessReasonMessages = defineMessages({
  'reason.access.health.undeclared': {
    'zh-CN': '{personName}（{classId}）今日未提交健康申报，请门卫提醒',
    en: '{personName} ({classId}) has no health declaration today: the guard reminds them',
  },
  'reason.access.granted': { 'zh-CN': '{who}通过{gateName}', en: '{who} passed {gateName}' },
  'reason.access.granted.leave': {
    'zh-CN': '{personName} 凭已批准的请假（第 {leaveId} 号）离校',
    en: '{personName} left with approved leave #{leaveId}',
  },
  'reason.access.granted.visitor': { 'zh-CN': '访客通行证 {passId} 通过{gateName}', en: 'Visitor pass {passId} passed {gateName}' },
  'reason.access.granted.pickup': { 'zh-CN': '接送人 {personId} 凭接送证 {passId} 通过{gateName}', en: 'Pickup person {personId} passed {gateName} with pickup pass {passId}' },
  'reason.access.granted.passback_soft': {
    'zh-CN': '{personName}通过{gateName}，但与上一次通行方向相同（防潜回提醒）',
    en: '{personName} passed {gateName}, but in the same direction as last time (anti-passback warning)',
  },
  'reason.access.granted.late_return': {
    'zh-CN': '{personName} 在宿舍门禁时间后返回宿舍（晚归）',
    en: '{personName} returned to the dormitory after curfew (late return)',
  },
  'reason.access.granted.fire_alarm': {
    'zh-CN': '消防联动中，{gateName} 常开，已记录 {personName}',
    en: 'Fire alarm: {gateName} is held open; {personName} recorded',
  },
  'reason.access.override': {
    'zh-CN': '{overrideBy} 手动放行{gateName}：{overrideWhy}',
    en: '{overrideBy} opened {gateName} by hand: {overrideWhy}',
  },
  'reason.access.key_not_allowed': {
    'zh-CN': '密钥 {kid} 无权签发此类凭证，拒绝通行',
    en: 'Key {kid} may not sign this kind of credential; refused',
  },
  'reason.access.person_unknown': {
    'zh-CN': '人员 {personId} 不在名单中，拒绝通行',
    en: 'Person {personId} is not on the roster; refused',
  },
  'reason.access.person_inactive': {
    'zh-CN': '{personName}（{personId}）已停用，拒绝通行',
    en: '{personName} ({personId}) is deactivated; refused',
  },
  'reason.access.role_not_allowed': {
    'zh-CN': '{personName} 的身份无权进入 {zoneName}',
    en: '{personName} has no role that may enter {zoneName}',
  },
  'reason.access.not_boarder': {
    'zh-CN': '{personName} 不是住校生，不能进出宿舍',
    en: '{personName} is not a boarder and may not use the dormitory',
  },
  'reason.access.wrong_dormitory': {
    'zh-CN': '{personName} 不住在 {zoneName}',
    en: '{personName} does not live in {zoneName}',
  },
  'reason.access.anti_passback.in': {
    'zh-CN': '{personName} 上次已刷卡进入，不能重复进入（防潜回）',
    en: '{personName} already entered; a second entry is refused (anti-passback)',
  },
  'reason.access.anti_passback.out': {
    'zh-CN': '{personName} 上次已刷卡离开，不能重复离开（防潜回）',
    en: '{personName} already left; a second exit is refused (anti-passback)',
  },
  'reason.access.school_hours': {
    'zh-CN': '上课时间，{who}没有已批准的请假，不能离校',
    en: 'School hours: {who} has no approved leave and may not leave',
  },
  'reason.access.boarder_needs_leave': {
    'zh-CN': '{personName} 是住校生，今天离校需要已批准的请假',
    en: '{personName} is a boarder and needs approved leave to leave campus today',
  },
  'reason.access.curfew': {
    'zh-CN': '宿舍门禁时间（{curfewStart}–{curfewEnd}），{personName} 不能离开宿舍',
    en: 'Dormitory curfew ({curfewStart}–{curfewEnd}): {personName} may not leave',
  },
  'reason.access.dormitory_closed': {
    'zh-CN': '宿舍在 {closedStart}–{closedEnd} 关闭，{personName} 不能进入',
    en: 'The dormitory is closed {closedStart}–{closedEnd}; {personName} may not enter',
  },
  'reason.access.direction_not_allowed': {
    'zh-CN': '{gateName} 不允许此方向通行',
    en: '{gateName} does not allow passage in this direction',
  },
  'reason.access.pass_unknown': {
    'zh-CN': '通行证 {passId} 在本校没有登记，拒绝通行',
    en: 'Pass {passId} is not registered at this school; refused',
  },
  'reason.access.pass_cancelled': { 'zh-CN': '通行证 {passId} 已作废', en: 'Pass {passId} was cancelled' },
  'reason.access.pass_used': {
    'zh-CN': '一次性通行证 {passId} 已使用过，不能再次使用',
    en: 'One-use pass {passId} has already been used',
  },
  'reason.access.pass_wrong_gate': {
    'zh-CN': '通行证 {passId} 不能在 {gateName} 使用',
    en: 'Pass {passId} is not valid at {gateName}',
  },
  'reason.access.pass_wrong_zone': {
    'zh-CN': '通行证 {passId} 不能进入 {zoneName}',
    en: 'Pass {passId} is not valid for {zoneName}',
  },
  'reason.reader.frame.overlong': {
    'zh-CN': '读卡器 {reader} 发来的数据过长（{bytes} 字节），已拒绝',
    en: 'Reader {reader} sent an overlong line ({bytes} bytes); refused',
  },
  'reason.reader.frame.no_suffix': {
    'zh-CN': '读卡器 {reader} 的数据缺少结束符（{bytes} 字节），已拒绝；请检查读头的后缀设置（CR/LF）',
    en: 'Reader {reader} sent a line without its suffix ({bytes} bytes); refused. Check the suffix setting (CR/LF)',
  },
  'reason.reader.frame.garbage': {
    'zh-CN': '读卡器 {reader} 发来无法识别的数据（{bytes} 字节），已拒绝；请检查波特率和接线',
    en: 'Reader {reader} sent unreadable bytes ({bytes} bytes); refused. Check baud rate and wiring',
  },
  'reason.reader.frame.truncated': {
    'zh-CN': '读卡器 {reader} 连接中断，未读完的数据（{bytes} 字节）已丢弃',
    en: 'Reader {reader} link dropped mid-line; {bytes} bytes discarded',
  },
  'reason.access.passage.passed': { 'zh-CN': '{gateName}：已通过', en: '{gateName}: passed' },
  'reason.access.passage.not_passed': {
    'zh-CN': '{gateName}：已开闸但无人通过，记为未通行',
    en: '{gateName}: opened but nobody passed; recorded as not passed',
  },
  'reason.access.passage.unexpected': {
    'zh-CN': '{gateName}：检测到未刷卡通过（尾随或强行通过）',
    en: '{gateName}: someone passed without an opening (tailgating or forced)',
  },
  'reason.access.passage.cancelled': {
    'zh-CN': '{gateName}：待通行记录因消防联动取消',
    en: '{gateName}: pending passage cancelled by the fire alarm',
  },
  'reason.access.fire_alarm.active': {
    'zh-CN': '消防联动：全部闸机常开（{held}/{total} 已确认，来源：{source}）',
    en: 'Fire alarm: every gate held open ({held}/{total} confirmed, source: {source})',
  },
  'reason.access.fire_alarm.gate_not_open': {
    'zh-CN': '消防联动：{held}/{total} 个闸机已打开，其余正在重试',
    en: 'Fire alarm: {held} of {total} gates open; retrying the rest',
  },
  'reason.access.fire_alarm.cleared': {
    'zh-CN': '消防联动解除，闸机恢复正常（操作：{source}）',
    en: 'Fire alarm cleared; gates back to normal (by {source})',
  },
  'reason.access.device.online': { 'zh-CN': '设备 {device} 已连接', en: 'Device {device} is online' },
  'reason.access.device.offline': {
    'zh-CN': '设备 {device} 断开（{code}），正在自动重连',
    en: 'Device {device} went offline ({code}); reconnecting',
  },
  'reason.access.card.revoked': {
    'zh-CN': '{personName} 的卡已挂失/作废：版本低于 {minCardVersion} 的卡不再有效',
    en: "{personName}'s card was revoked: versions below {minCardVersion} are refused",
  },
  'reason.access.roster.imported': {
    'zh-CN': '名单导入完成：新增 {created} 人，更新 {updated} 人',
    en: 'Roster imported: {created} added, {updated} updated',
  },
  'reason.access.leave.created': {
    'zh-CN': '{personName} 的请假已登记（第 {leaveId} 号）',
    en: 'Leave #{leaveId} recorded for {personName}',
  },
  'reason.access.leave.cancelled': { 'zh-CN': '第 {leaveId} 号请假已撤销', en: 'Leave #{leaveId} cancelled' },
  'reason.access.pass.created': { 'zh-CN': '已签发访客通行证 {passId}（{visitorName}）', en: 'Visitor pass {passId} issued ({visitorName})' },
  'reason.access.pass.cancelled': { 'zh-CN': '通行证 {passId} 已作废', en: 'Pass {passId} cancelled' },
  'reason.attendance.late': { 'zh-CN': '{who}迟到', en: '{who} arrived late' },
  'reason.attendance.absent': { 'zh-CN': '{who}今日未到校', en: '{who} has not arrived today' },
  'reason.attendance.left_early': {
    'zh-CN': '{who}提前离校（无请假记录）',
    en: '{who} left early without leave',
  },
  'reason.attendance.left_with_leave': {
    'zh-CN': '{who}请假离校',
    en: '{who} left with approved leave',
  },
});

/** Message id of a reason code. */
export function accessReasonMessageId(reason: string): string {
  return `reason.${reason}`;
}
