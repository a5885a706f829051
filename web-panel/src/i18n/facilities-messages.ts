import { defineMessages } from '@campus/protocol/i18n';

/**
 * Menu labels of the facilities pages (后勤). Only these load with the shell; the pages'
 * own strings (src/pages/facilities/messages.ts) come with the page chunks.
 */
export const facilitiesMenuMessages = defineMessages({
  'panel.menu.facilities.inspect': { 'zh-CN': '巡检', en: 'Inspection' },
  'panel.menu.facilities.report': { 'zh-CN': '报修', en: 'Report a fault' },
  'panel.menu.facilities.orders': { 'zh-CN': '我的工单', en: 'My work orders' },
  'panel.menu.facilities.board': { 'zh-CN': '巡检与工单看板', en: 'Rounds and orders board' },
  'panel.menu.facilities.assets': { 'zh-CN': '资产', en: 'Assets' },
  'panel.menu.facilities.stocktake': { 'zh-CN': '盘点', en: 'Stock-take' },
  'panel.menu.facilities.desk': { 'zh-CN': '巡检与库存设置', en: 'Rounds and stores setup' },
  'panel.menu.facilities.kpi': { 'zh-CN': '维修绩效', en: 'Repair KPIs' },
});
