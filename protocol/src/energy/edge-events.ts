import { defineMessages, type Message } from '../i18n/index.js';
import { ALARM_RULES, type AlarmRule } from './alarms.js';

/**
 * Event types and reason codes the edge's energy domain records. Texts are
 * `reason.<code>`; event data carries the placeholders as top-level fields.
 */
export const ENERGY_EVENTS = {
  circuitSwitched: 'energy.circuit.switched',
  circuitChanged: 'energy.circuit.changed',
  circuitCommandRejected: 'energy.circuit.command_rejected',
  overrideExpired: 'energy.override.expired',
  scheduleRan: 'energy.schedule.ran',
  rollupHour: 'energy.rollup.hour',
  rollupMinute: 'energy.rollup.minute',
  meterDataFlagged: 'energy.meter.data_flagged',
  deviceState: 'energy.device.state',
  configRejected: 'energy.config.rejected',
  alarmRaised: 'alarm.energy.raised',
  alarmAcknowledged: 'alarm.energy.acknowledged',
  alarmCleared: 'alarm.energy.cleared',
} as const;

export const ENERGY_REASONS = {
  switchedOn: 'energy.circuit.switched_on',
  switchedOff: 'energy.circuit.switched_off',
  mismatch: 'energy.circuit.mismatch',
  failed: 'energy.circuit.failed',
  changedExternally: 'energy.circuit.changed_externally',
  commandRejected: 'energy.circuit.command_rejected',
  overrideExpired: 'energy.override.expired',
  scheduleRan: 'energy.schedule.ran',
  rollupHour: 'energy.rollup.hour',
  rollupMinute: 'energy.rollup.minute',
  readingFlagged: 'energy.reading_flagged',
  configRejected: 'energy.config_rejected',
} as const;

/** Reason code of an alarm transition: "alarm.over_voltage.raised". */
export function alarmReason(rule: AlarmRule, transition: 'raised' | 'acknowledged' | 'cleared'): string {
  return `alarm.${rule}.${transition}`;
}

export const energyEventMessages = defineMessages({
  'reason.energy.circuit.switched_on': { 'zh-CN': '回路 {circuitName} 已开启（{actor}：{why}）', en: 'Circuit {circuitName} switched on ({actor}: {why})' },
  'reason.energy.circuit.switched_off': { 'zh-CN': '回路 {circuitName} 已关闭（{actor}：{why}）', en: 'Circuit {circuitName} switched off ({actor}: {why})' },
  'reason.energy.circuit.mismatch': {
    'zh-CN': '回路 {circuitName} 继电器回读与指令不符：指令 {desired}，回读 {actual}（已尝试 {attempts} 次）',
    en: 'Circuit {circuitName}: the relay read-back contradicts the command: asked {desired}, read {actual} (after {attempts} attempts)',
  },
  'reason.energy.circuit.failed': {
    'zh-CN': '回路 {circuitName} 切换为 {desired} 失败（已尝试 {attempts} 次）：{error}',
    en: 'Circuit {circuitName} could not be switched {desired} (after {attempts} attempts): {error}',
  },
  'reason.energy.circuit.changed_externally': {
    'zh-CN': '回路 {circuitName} 在现场被切换，现为 {actual}（继电器板 {board}）',
    en: 'Circuit {circuitName} was switched on site and is now {actual} (relay board {board})',
  },
  'reason.energy.circuit.command_rejected': {
    'zh-CN': '拒绝了来自 {client} 的回路指令（{topic}）：{detail}',
    en: 'Rejected a circuit command from {client} ({topic}): {detail}',
  },
  'reason.energy.override.expired': {
    'zh-CN': '回路 {circuitName} 的手动保持已到期',
    en: 'The manual hold on circuit {circuitName} has expired',
  },
  'reason.energy.schedule.ran': {
    'zh-CN': '定时任务“{scheduleName}”已执行：切换 {switched} 路，跳过 {skipped} 路，失败 {failed} 路',
    en: 'Schedule "{scheduleName}" ran: {switched} switched, {skipped} skipped, {failed} failed',
  },
  'reason.energy.rollup.hour': { 'zh-CN': '{hourText} 的小时能耗汇总（{meters} 块表）', en: 'Hourly energy roll-up for {hourText} ({meters} meters)' },
  'reason.energy.rollup.minute': { 'zh-CN': '分钟能耗汇总（{minutes} 分钟，{meters} 块表）', en: 'Minute energy roll-ups ({minutes} minutes, {meters} meters)' },
  'reason.energy.reading_flagged': {
    'zh-CN': '表计 {deviceId} 的测点 {point} 数据异常（{quality}，原始值 {raw}），未作为数据保存',
    en: 'Meter {deviceId} sent an implausible {point} ({quality}, raw {raw}); not stored as data',
  },
  'reason.energy.config_rejected': {
    'zh-CN': '设备 {deviceId} 的配置有误，未启用：{detail}',
    en: 'Device {deviceId} is configured wrongly and was not started: {detailEn}',
  },
});

const RULE_NAMES: Record<AlarmRule, Message> = {
  over_voltage: { 'zh-CN': '过电压', en: 'Over-voltage' },
  under_voltage: { 'zh-CN': '欠电压', en: 'Under-voltage' },
  over_current: { 'zh-CN': '过电流', en: 'Over-current' },
  after_hours_power: { 'zh-CN': '非工作时间用电', en: 'Power drawn after hours' },
  residual_current: { 'zh-CN': '剩余电流（漏电）超限', en: 'Residual (leakage) current over limit' },
  cable_temperature: { 'zh-CN': '线缆温度超限', en: 'Cable temperature over limit' },
  device_offline: { 'zh-CN': '设备离线', en: 'Device offline' },
  circuit_mismatch: { 'zh-CN': '回路状态与指令不符', en: 'Circuit state contradicts the command' },
};

const RAISED: Record<AlarmRule, Message> = {
  over_voltage: { 'zh-CN': '{subjectName} {detail} 电压 {value} V，高于上限 {limit} V', en: '{subjectName} {detail} voltage {value} V is above the limit of {limit} V' },
  under_voltage: { 'zh-CN': '{subjectName} {detail} 电压 {value} V，低于下限 {limit} V', en: '{subjectName} {detail} voltage {value} V is below the limit of {limit} V' },
  over_current: { 'zh-CN': '{subjectName} {detail} 电流 {value} A，超过额定 {limit} A', en: '{subjectName} {detail} current {value} A exceeds the rating of {limit} A' },
  after_hours_power: {
    'zh-CN': '{subjectName} 在非工作时间仍在用电：{value} W（阈值 {limit} W）',
    en: '{subjectName} draws {value} W outside working hours (threshold {limit} W)',
  },
  residual_current: {
    'zh-CN': '{subjectName} 剩余电流 {value} mA，超过 {limit} mA，请立即排查漏电',
    en: '{subjectName} residual current {value} mA exceeds {limit} mA; check for leakage now',
  },
  cable_temperature: {
    'zh-CN': '{subjectName} {detail} 线缆温度 {value} °C，超过 {limit} °C，请立即检查',
    en: '{subjectName} {detail} cable temperature {value} °C exceeds {limit} °C; inspect now',
  },
  device_offline: { 'zh-CN': '{subjectName} 无应答（{detail}）', en: '{subjectName} does not answer ({detail})' },
  circuit_mismatch: {
    'zh-CN': '回路 {subjectName} 继电器状态与指令不符（{detail}），请到现场检查',
    en: 'Circuit {subjectName}: relay state contradicts the command ({detail}); check on site',
  },
};

const alarmMessages: Record<string, Message> = {};
for (const rule of ALARM_RULES) {
  alarmMessages[`alarm.rule.${rule}`] = RULE_NAMES[rule];
  alarmMessages[`reason.${alarmReason(rule, 'raised')}`] = RAISED[rule];
  alarmMessages[`reason.${alarmReason(rule, 'acknowledged')}`] = {
    'zh-CN': `${RULE_NAMES[rule]['zh-CN']}告警已由 {by} 确认：{subjectName}`,
    en: `${RULE_NAMES[rule].en} alarm acknowledged by {by}: {subjectName}`,
  };
  alarmMessages[`reason.${alarmReason(rule, 'cleared')}`] = {
    'zh-CN': `${RULE_NAMES[rule]['zh-CN']}告警已恢复正常：{subjectName}`,
    en: `${RULE_NAMES[rule].en} alarm returned to normal: {subjectName}`,
  };
}
export const energyAlarmMessages = defineMessages(alarmMessages);
