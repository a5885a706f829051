import { defineMessages } from '@campus/protocol/i18n';

/**
 * Menu labels of the energy pages (能耗与用电安全). Only these load with the shell;
 * the pages' own strings (src/pages/energy/messages.ts) come with the page chunks.
 */
export const energyMenuMessages = defineMessages({
  'panel.menu.energy.live': { 'zh-CN': '实时用电', en: 'Live power' },
  'panel.menu.energy.charts': { 'zh-CN': '用电统计', en: 'Energy use' },
  'panel.menu.energy.waste': { 'zh-CN': '非工作时间用电', en: 'After-hours use' },
  'panel.menu.energy.circuits': { 'zh-CN': '回路控制', en: 'Circuits' },
  'panel.menu.energy.schedules': { 'zh-CN': '定时与校历', en: 'Schedules and calendar' },
  'panel.menu.energy.alarms': { 'zh-CN': '用电告警', en: 'Electrical alarms' },
});
