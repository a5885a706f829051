import { defineMessages } from '@campus/protocol';

/** Texts of the cloud's live views (server-sent events). zh-CN first. */
export const liveMessages = defineMessages({
  'live.error.busy': { 'zh-CN': '实时连接过多，请稍后重试', en: 'Too many live connections; try again shortly' },
  'live.error.render': { 'zh-CN': '实时数据暂时读取失败，稍后自动重试', en: 'The live view could not be read just now; it retries by itself' },
});
