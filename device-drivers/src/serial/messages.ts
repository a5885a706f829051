import { defineMessages } from '@campus/protocol/i18n';

/**
 * What staff read about device links on the gate/reader status page and in logs.
 * Ids follow the repo's "namespace.thing" convention; params are filled by translate().
 */
export const linkMessages = defineMessages({
  'device.link.connecting': { 'zh-CN': '正在连接设备 {id}', en: 'Connecting to device {id}' },
  'device.link.open': { 'zh-CN': '设备 {id} 已连接', en: 'Device {id} connected' },
  'device.link.error': {
    'zh-CN': '设备 {id} 连接中断（{code}），将自动重连',
    en: 'Device {id} link down ({code}); reconnecting automatically',
  },
  'device.link.closed': { 'zh-CN': '设备 {id} 已停用', en: 'Device {id} stopped' },
  'device.config.invalid': {
    'zh-CN': '设备配置无效（{what}）：{issues}',
    en: 'Invalid device configuration ({what}): {issues}',
  },
});

export type LinkMessageId = keyof typeof linkMessages;

/** The message id describing a link state, for status pages. */
export function linkStateMessageId(state: 'connecting' | 'open' | 'error' | 'closed'): LinkMessageId {
  return `device.link.${state}`;
}
