import { defineMessages, type Locale } from '@campus/protocol/i18n';
import { panelTranslate } from '../../i18n/translate';
import type { PanelEvent } from '../../api/types';

/**
 * What staff call each kind of event and each place an event comes from: the live
 * events page shows these instead of ids such as `access.decision` or `reader:east-in`.
 */
export const eventLabelMessages = defineMessages({
  'panel.eventDomain.access': { 'zh-CN': '门禁', en: 'Gate access' },
  'panel.eventDomain.attendance': { 'zh-CN': '考勤', en: 'Attendance' },
  'panel.eventDomain.energy': { 'zh-CN': '用电', en: 'Energy' },
  'panel.eventDomain.alarm': { 'zh-CN': '告警', en: 'Alarms' },
  'panel.eventDomain.usb': { 'zh-CN': 'USB 设备', en: 'USB devices' },
  'panel.eventDomain.endpoint': { 'zh-CN': '终端管控', en: 'Endpoint guard' },
  'panel.eventDomain.security': { 'zh-CN': '安全', en: 'Security' },
  'panel.eventDomain.system': { 'zh-CN': '系统', en: 'System' },
  'panel.eventDomain.sync': { 'zh-CN': '云同步', en: 'Cloud sync' },
  'panel.eventDomain.demo': { 'zh-CN': '演示', en: 'Demo' },
  'panel.eventDomain.other': { 'zh-CN': '其他', en: 'Other' },

  'panel.eventType.access.decision': { 'zh-CN': '通行记录', en: 'Gate decision' },
  'panel.eventType.access.passage': { 'zh-CN': '过闸确认', en: 'Passage' },
  'panel.eventType.access.fire_alarm': { 'zh-CN': '消防联动', en: 'Fire alarm' },
  'panel.eventType.access.device': { 'zh-CN': '门禁设备状态', en: 'Gate device' },
  'panel.eventType.access.card': { 'zh-CN': '卡片挂失', en: 'Card revoked' },
  'panel.eventType.access.roster': { 'zh-CN': '名单导入', en: 'Roster import' },
  'panel.eventType.access.leave': { 'zh-CN': '请假', en: 'Leave' },
  'panel.eventType.access.pass': { 'zh-CN': '访客证', en: 'Visitor pass' },
  'panel.eventType.attendance.late': { 'zh-CN': '迟到', en: 'Late' },
  'panel.eventType.attendance.absent': { 'zh-CN': '缺勤', en: 'Absent' },
  'panel.eventType.attendance.left_early': { 'zh-CN': '早退', en: 'Left early' },
  'panel.eventType.attendance.left_with_leave': { 'zh-CN': '请假离校', en: 'Left on leave' },
  'panel.eventType.energy.circuit.switched': { 'zh-CN': '回路通断', en: 'Circuit switched' },
  'panel.eventType.energy.circuit.changed': { 'zh-CN': '回路状态变化', en: 'Circuit changed' },
  'panel.eventType.energy.circuit.command_rejected': { 'zh-CN': '回路指令被拒', en: 'Circuit command refused' },
  'panel.eventType.energy.override.expired': { 'zh-CN': '临时开启到期', en: 'Override expired' },
  'panel.eventType.energy.schedule.ran': { 'zh-CN': '定时任务执行', en: 'Schedule ran' },
  'panel.eventType.energy.meter.data_flagged': { 'zh-CN': '电表读数异常', en: 'Meter data flagged' },
  'panel.eventType.energy.device.state': { 'zh-CN': '电表在线状态', en: 'Meter online state' },
  'panel.eventType.energy.config.rejected': { 'zh-CN': '用电配置被拒', en: 'Energy config refused' },
  'panel.eventType.alarm.energy.raised': { 'zh-CN': '用电告警', en: 'Energy alarm' },
  'panel.eventType.alarm.energy.acknowledged': { 'zh-CN': '告警已确认', en: 'Alarm acknowledged' },
  'panel.eventType.alarm.energy.cleared': { 'zh-CN': '告警已解除', en: 'Alarm cleared' },
  'panel.eventType.usb.inserted': { 'zh-CN': 'USB 插入', en: 'USB inserted' },
  'panel.eventType.usb.allowed': { 'zh-CN': 'USB 放行', en: 'USB allowed' },
  'panel.eventType.usb.blocked': { 'zh-CN': 'USB 拦截', en: 'USB blocked' },
  'panel.eventType.usb.removed': { 'zh-CN': 'USB 拔出', en: 'USB removed' },
  'panel.eventType.usb.dropped': { 'zh-CN': 'USB 事件丢失', en: 'USB events lost' },
  'panel.eventType.endpoint.agent': { 'zh-CN': '终端状态', en: 'PC agent' },
  'panel.eventType.endpoint.policy': { 'zh-CN': 'USB 策略', en: 'USB policy' },
  'panel.eventType.endpoint.request': { 'zh-CN': '使用申请', en: 'Device request' },
  'panel.eventType.endpoint.grant': { 'zh-CN': '临时授权', en: 'Temporary grant' },
  'panel.eventType.endpoint.message': { 'zh-CN': '终端消息', en: 'PC message' },
  'panel.eventType.security.login': { 'zh-CN': '登录', en: 'Sign-in' },
  'panel.eventType.security.refused': { 'zh-CN': '拒绝访问', en: 'Access refused' },
  'panel.eventType.system.started': { 'zh-CN': '网关启动', en: 'Edge started' },
  'panel.eventType.system.stopped': { 'zh-CN': '网关停止', en: 'Edge stopped' },
  'panel.eventType.system.clock': { 'zh-CN': '时钟状态', en: 'Clock' },
  'panel.eventType.demo.note': { 'zh-CN': '演示提示', en: 'Demo note' },

  'panel.eventSource.reader': { 'zh-CN': '读卡器 {id}', en: 'Reader {id}' },
  'panel.eventSource.gateDirection': { 'zh-CN': '{gate}·{direction}', en: '{gate} · {direction}' },
  'panel.eventSource.in': { 'zh-CN': '进', en: 'in' },
  'panel.eventSource.out': { 'zh-CN': '出', en: 'out' },
  'panel.eventSource.gate': { 'zh-CN': '闸机 {id}', en: 'Gate {id}' },
  'panel.eventSource.guard': { 'zh-CN': '门卫 {id}', en: 'Guard {id}' },
  'panel.eventSource.pc': { 'zh-CN': '电脑 {id}', en: 'PC {id}' },
  'panel.eventSource.modbus': { 'zh-CN': '电表总线 {id}', en: 'Meter bus {id}' },
  'panel.eventSource.mqtt': { 'zh-CN': '设备 {id}', en: 'Device {id}' },
  'panel.eventSource.http': { 'zh-CN': '管理面板', en: 'Panel' },
  'panel.eventSource.panel': { 'zh-CN': '管理面板', en: 'Panel' },
  'panel.eventSource.cli': { 'zh-CN': '命令行', en: 'Command line' },
  'panel.eventSource.cloud': { 'zh-CN': '云端', en: 'Cloud' },
  'panel.eventSource.edge': { 'zh-CN': '边缘网关', en: 'Edge gateway' },
  'panel.eventSource.broker': { 'zh-CN': '消息代理', en: 'MQTT broker' },
  'panel.eventSource.clock': { 'zh-CN': '系统时钟', en: 'System clock' },
  'panel.eventSource.config': { 'zh-CN': '配置', en: 'Configuration' },
  'panel.eventSource.attendance': { 'zh-CN': '考勤', en: 'Attendance' },
  'panel.eventSource.endpoints': { 'zh-CN': '终端管控', en: 'Endpoint guard' },
  'panel.eventSource.energy': { 'zh-CN': '用电管理', en: 'Energy' },
  'panel.eventSource.demo': { 'zh-CN': '演示', en: 'Demo' },
  'panel.eventSource.ntp': { 'zh-CN': '网络对时', en: 'NTP' },
});

type LabelId = keyof typeof eventLabelMessages;
const has = (id: string): id is LabelId => id in eventLabelMessages;
const DOMAINS = ['access', 'attendance', 'energy', 'alarm', 'usb', 'endpoint', 'security', 'system', 'sync', 'demo'] as const;

function domainOf(type: string): LabelId {
  const first = type.split('.')[0]!;
  return (DOMAINS as readonly string[]).includes(first) ? (`panel.eventDomain.${first}` as LabelId) : 'panel.eventDomain.other';
}

/** "通行记录" for access.decision; a type the panel has no word for is named by its domain ("门禁"). */
export function eventTypeLabel(locale: Locale, type: string): string {
  for (let t = type; t; t = t.includes('.') ? t.slice(0, t.lastIndexOf('.')) : '') {
    const id = `panel.eventType.${t}`;
    if (has(id)) return panelTranslate(locale, id, undefined, eventLabelMessages);
  }
  return panelTranslate(locale, domainOf(type), undefined, eventLabelMessages);
}

/** "东门·进" for a reader at a gate, "电脑 pc-lab1-01", "管理面板": where the event came from. */
export function eventSourceLabel(locale: Locale, e: Pick<PanelEvent, 'source' | 'data'>): string {
  const tr = (id: LabelId, params?: Record<string, string>) => panelTranslate(locale, id, params, eventLabelMessages);
  const [kind, ...rest] = e.source.split(':');
  const id = rest.join(':');
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (kind === 'reader' && typeof data.gateName === 'string' && (data.direction === 'in' || data.direction === 'out')) {
    return tr('panel.eventSource.gateDirection', { gate: data.gateName, direction: tr(`panel.eventSource.${data.direction}`) });
  }
  if (id && has(`panel.eventSource.${kind}`)) return tr(`panel.eventSource.${kind}` as LabelId, { id });
  const module = e.source.split('.')[0]!;
  if (!id && has(`panel.eventSource.${module}`)) return tr(`panel.eventSource.${module}` as LabelId);
  return e.source;
}

export interface EventCategory {
  /** The type prefix the edge filters by. */
  prefix: string;
  label: string;
}

/** The filter's choices: each domain, then the kinds staff look for most. */
export function eventCategories(locale: Locale): EventCategory[] {
  const domains = DOMAINS.map((d) => ({ prefix: `${d}.`, label: panelTranslate(locale, `panel.eventDomain.${d}`, undefined, eventLabelMessages) }));
  const kinds = Object.keys(eventLabelMessages)
    .filter((k) => k.startsWith('panel.eventType.'))
    .map((k) => {
      const type = k.slice('panel.eventType.'.length);
      return { prefix: type, label: `${panelTranslate(locale, domainOf(type), undefined, eventLabelMessages)} · ${panelTranslate(locale, k, undefined, eventLabelMessages)}` };
    });
  return [...domains, ...kinds];
}
