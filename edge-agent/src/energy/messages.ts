import { defineMessages } from '@campus/protocol/i18n';

/** Energy API errors a panel user can meet (zh-CN first). Ids: error.<code>. */
export const energyApiMessages = defineMessages({
  'error.energy.not_running': {
    'zh-CN': '能耗模块未启用或未能启动，请检查配置（energy.enabled）与日志',
    en: 'The energy module is not enabled or failed to start; check the configuration (energy.enabled) and the log',
  },
  'error.energy.unknown_circuit': { 'zh-CN': '没有回路 {id}', en: 'There is no circuit {id}' },
  'error.energy.unknown_scope': { 'zh-CN': '没有{kind} {id}', en: 'There is no {kind} {id}' },
  'error.energy.confirm_required': {
    'zh-CN': '此操作将切换 {count} 路回路，请确认后再提交（confirm: true）',
    en: 'This switches {count} circuits; confirm it (confirm: true) and send again',
  },
  'error.energy.no_circuits': { 'zh-CN': '没有符合条件的回路', en: 'No circuit matches' },
  'error.energy.invalid_cron': { 'zh-CN': '定时表达式“{expression}”无效：{detail}', en: 'Schedule expression "{expression}" is invalid: {detail}' },
  'error.energy.already_acknowledged': { 'zh-CN': '该告警已被确认', en: 'This alarm has already been acknowledged' },
  'error.energy.range_too_long': { 'zh-CN': '时间范围过长（最多 {max} 天）', en: 'The range is too long (at most {max} days)' },
  'error.energy.unknown_room': { 'zh-CN': '没有房间 {id}', en: 'There is no room {id}' },
});
