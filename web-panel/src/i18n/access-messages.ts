import { defineMessages } from '@campus/protocol/i18n';

/**
 * Menu labels of the gate-access pages (门禁, 考勤). Only these load with the shell; the
 * pages' own strings (src/pages/access/messages.ts) come with the page chunks.
 */
export const accessMenuMessages = defineMessages({
  'panel.menu.access.live': { 'zh-CN': '门岗实时', en: 'Gate live' },
  'panel.menu.access.leaves': { 'zh-CN': '请假与通行证', en: 'Leaves and passes' },
  'panel.menu.access.attendance': { 'zh-CN': '今日考勤', en: "Today's attendance" },
  'panel.menu.access.people': { 'zh-CN': '人员与卡片', en: 'People and cards' },
  'panel.menu.access.gates': { 'zh-CN': '闸机状态', en: 'Gates and readers' },
});
