import { bilingual, defineMessages, type Params } from '@campus/protocol/i18n';

/** What `campus-guard request` tells the teacher at the PC, zh-CN first. */
export const requestMessages = defineMessages({
  'guard.request.sent': {
    'zh-CN': '已向信息中心申请使用该 U 盘（{device}），批准后会自动放行',
    en: 'Request sent to IT for this drive ({device}); the drive is allowed automatically once approved',
  },
  'guard.request.usage': {
    'zh-CN': '用法：campus-guard request --reason "<申请理由>" [--device <端口 或 vid:pid[:序列号]>] [--hours <小时数>] [--config <文件>]',
    en: 'Usage: campus-guard request --reason "<why>" [--device <port or vid:pid[:serial]>] [--hours <N>] [--config <file>]',
  },
  'guard.request.bad_device': {
    'zh-CN': '无法识别设备 "{device}"：请填写端口（如 1-1.2）或 vid:pid[:序列号]（如 0781:5567）',
    en: 'Cannot read device "{device}": give a port (e.g. 1-1.2) or vid:pid[:serial] (e.g. 0781:5567)',
  },
  'guard.request.bad_hours': { 'zh-CN': '小时数必须是 1 到 {max} 之间的整数', en: 'Hours must be a whole number from 1 to {max}' },
  'guard.request.bad_reason': { 'zh-CN': '请用 --reason 写明申请理由（最多 500 字）', en: 'Please give a reason with --reason (at most 500 characters)' },
  'guard.request.device_absent': {
    'zh-CN': '端口 {device} 上没有 USB 设备，请插入后重试',
    en: 'There is no USB device on port {device}; plug it in and try again',
  },
  'guard.request.none_blocked': {
    'zh-CN': '本机当前没有被拦截的 USB 设备。请先插入 U 盘，或用 --device 指定设备',
    en: 'No USB device is blocked on this PC right now. Plug in the drive first, or name it with --device',
  },
  'guard.request.choose': {
    'zh-CN': '有多个被拦截的设备，请用 --device 指定要申请哪一个：',
    en: 'Several devices are blocked; name the one you want with --device:',
  },
  'guard.request.spool_missing': {
    'zh-CN': '申请目录 {dir} 不存在：USB 管控服务（campus-guard）可能未运行，请联系信息中心',
    en: 'The request folder {dir} does not exist: the USB guard service (campus-guard) may not be running; please contact IT',
  },
  'guard.request.write_failed': { 'zh-CN': '无法提交申请（{error}），请联系信息中心', en: 'Cannot submit the request ({error}); please contact IT' },
});

export type RequestMessageId = keyof typeof requestMessages;

export function requestText(id: RequestMessageId, params?: Params): string {
  const t = bilingual(id, params);
  return `${t['zh-CN']}\n${t.en}`;
}
