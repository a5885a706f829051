import { defineMessages } from '@campus/protocol/i18n';

defineMessages({
  'error.sync.cloud_owned': {
    'zh-CN': '{whatZh}由云端统一管理，请在云端管理后台修改；本机的修改会被云端数据覆盖',
    en: '{whatEn} are managed in the cloud; change them in the cloud console (a local change would be overwritten by the cloud)',
  },
});

/** Record kinds the cloud owns when cloud sync is on, as the staff know them. */
export const CLOUD_OWNED_WHAT = {
  people: { 'zh-CN': '人员、卡片与监护关系', en: 'People, cards and guardians' },
  leaves: { 'zh-CN': '云端下发的请假记录', en: 'Leaves sent by the cloud' },
  passes: { 'zh-CN': '云端签发的访客通行证', en: 'Visitor passes issued in the cloud' },
  calendar: { 'zh-CN': '校历（节假日、调休与考试日）', en: 'The school calendar (holidays, make-up days and exam days)' },
  usb_policies: { 'zh-CN': '云端下发的 U 盘策略', en: 'USB policies sent by the cloud' },
  bus_routes: { 'zh-CN': '校车线路、站点与乘车安排', en: 'School bus routes, stops and assignments' },
} as const;
export type CloudOwnedWhat = keyof typeof CLOUD_OWNED_WHAT;
