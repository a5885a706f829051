import { defineMessages } from '@campus/protocol';

/** Texts of the cloud's school bus part (console routes, JT/T 808 server, parent live view). zh-CN first. */
export const busCloudMessages = defineMessages({
  'bus.error.invalid': { 'zh-CN': '校车数据无效（{kind}）：{zh}', en: 'Invalid bus record ({kind}): {en}' },
  'bus.error.unknown_vehicle': { 'zh-CN': '本校没有车辆 {vehicleId}', en: 'This school has no vehicle {vehicleId}' },
  'bus.error.unknown_route': { 'zh-CN': '本校没有校车路线 {routeId}', en: 'This school has no bus route {routeId}' },
  'bus.error.unknown_stop': { 'zh-CN': '路线 {routeId} 没有站点 {stopId}', en: 'Route {routeId} has no stop {stopId}' },
  'bus.error.unknown_student': { 'zh-CN': '本校没有学生 {personId}', en: 'This school has no student {personId}' },
  'bus.error.terminal_taken': {
    'zh-CN': '终端手机号 {terminalPhone} 已登记在车辆 {other} 上，一个 JT/T 808 终端只能对应一辆车',
    en: 'Terminal phone {terminalPhone} is already on vehicle {other}; a JT/T 808 terminal belongs to one vehicle',
  },
  'bus.error.plate_taken': { 'zh-CN': '车牌 {plate} 已登记在车辆 {other} 上', en: 'Plate {plate} is already on vehicle {other}' },
  'bus.error.in_use': { 'zh-CN': '不能删除：{kind} {key} 仍被 {by} 使用', en: 'Cannot delete: {kind} {key} is still used by {by}' },
  'bus.error.no_trip': { 'zh-CN': '孩子当前没有进行中的校车行程', en: 'Your child is not on a running bus trip now' },
  'bus.error.not_your_child': { 'zh-CN': '不是您的孩子', en: 'Not your child' },
  'bus.alarm.handover_failed': { 'zh-CN': '{personName} 在 {stopName} 无人接（{routeName}），孩子留在车上', en: 'Nobody collected {personName} at {stopName} ({routeName}); the child stays on the bus' },
  'bus.alarm.sms': { 'zh-CN': '【校车安全警报·第{level}级·{role}】{text}。请立即处理，并在管理后台确认。', en: '[School bus alarm, level {level}, {role}] {text}. Act now and acknowledge it in the console.' },
  'bus.alarm.role.attendant': { 'zh-CN': '随车照管人员', en: 'attendant' },
  'bus.alarm.role.transport_manager': { 'zh-CN': '校车管理员', en: 'transport manager' },
  'bus.alarm.role.school_admin': { 'zh-CN': '校长/学校管理员', en: 'principal / school admin' },
  'bus.error.alarm_unknown': { 'zh-CN': '没有这条校车警报', en: 'No such bus alarm' },
  'bus.issue.invalid_type': { 'zh-CN': '{path} 类型错误（应为 {expected}）', en: '{path}: expected {expected}' },
  'bus.issue.too_big': { 'zh-CN': '{path} 超出上限 {maximum}', en: '{path}: more than {maximum}' },
  'bus.issue.too_small': { 'zh-CN': '{path} 低于下限 {minimum}', en: '{path}: less than {minimum}' },
  'bus.issue.invalid_format': { 'zh-CN': '{path} 格式不正确', en: '{path}: wrong format' },
  'bus.issue.invalid_value': { 'zh-CN': '{path} 只能是 {values}', en: '{path}: must be one of {values}' },
  'bus.issue.unrecognized_keys': { 'zh-CN': '未知字段 {keys}', en: 'Unknown field(s) {keys}' },
  'bus.issue.seats': { 'zh-CN': '{path}：{kind} 校车最多 {max} 座（GB 24407）', en: '{path}: at most {max} seats on a {kind} bus (GB 24407)' },
  'bus.issue.duplicate_stop': { 'zh-CN': '{path}：站点编号 {id} 重复', en: '{path}: duplicate stop id {id}' },
  'bus.issue.other': { 'zh-CN': '{path} 无效：{message}', en: '{path}: {message}' },
});
