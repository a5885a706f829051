import { defineMessages } from '@campus/protocol/i18n';

/**
 * Gate hardware outcomes as guards and the event log read them. The ids double as
 * event reason codes (protocol REASON_RE).
 */
export const gateMessages = defineMessages({
  'gate.passed': { 'zh-CN': '{gateId} 已通行（{direction}）', en: '{gateId}: passed ({direction})' },
  'gate.not_passed': {
    'zh-CN': '{gateId} 已开闸但 {seconds} 秒内无人通过（{direction}），记为未通行',
    en: '{gateId}: opened but nobody passed within {seconds} s ({direction}); recorded as not passed',
  },
  'gate.unexpected_passage': {
    'zh-CN': '{gateId} 检测到未经授权的通过（{direction}）',
    en: '{gateId}: a passage without an opening ({direction})',
  },
  'gate.passage_cancelled': {
    'zh-CN': '{gateId} 的待通行记录因消防联动取消（{direction}）',
    en: '{gateId}: pending passage cancelled by the fire alarm ({direction})',
  },
  'gate.relay_failed': {
    'zh-CN': '{gateId} 开闸失败：继电器无响应（{code}），闸机保持关闭',
    en: '{gateId}: could not open, relay not responding ({code}); the gate stays closed',
  },
  'gate.relay.boards_offline': {
    'zh-CN': 'Modbus 线路 {busId} 上的继电器板（地址 {units}）无应答，线路本身正常：检查继电器板供电和地址设置',
    en: 'Relay board(s) at unit {units} on Modbus line {busId} do not answer while the line is up; check the board’s power and address',
  },
  'gate.direction.in': { 'zh-CN': '进', en: 'in' },
  'gate.direction.out': { 'zh-CN': '出', en: 'out' },
  'fire_alarm.active': {
    'zh-CN': '消防联动：已打开全部 {held}/{total} 个闸机（来源：{source}）',
    en: 'Fire alarm: {held} of {total} gates held open (source: {source})',
  },
  'fire_alarm.gate_not_open': {
    'zh-CN': '消防联动：闸机 {gateId} 未能打开，正在重试',
    en: 'Fire alarm: gate {gateId} could not be opened; retrying',
  },
  'fire_alarm.cleared': {
    'zh-CN': '消防联动解除，闸机恢复正常（操作：{source}）',
    en: 'Fire alarm cleared; gates back to normal (by {source})',
  },
});
