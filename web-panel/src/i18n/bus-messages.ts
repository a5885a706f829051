import { defineMessages } from '@campus/protocol/i18n';

/** Menu label of the school bus page; the page's own strings (src/pages/bus/messages.ts) come with its chunk. */
export const busMenuMessages = defineMessages({
  'panel.menu.bus.trip': { 'zh-CN': '校车随车', en: 'School bus trip' },
});
