import { defineMessages } from '@campus/protocol/i18n';

/** Texts of configuration checks (start-up and `campus-edge config check`). */
export const configMessages = defineMessages({
  'config.unknown_key': {
    'zh-CN': '未知的配置键 {key}',
    en: 'unknown key {key}',
  },
  'config.unknown_key_suggest': {
    'zh-CN': '未知的配置键 {key}，是否想写 {suggestion}？',
    en: 'unknown key {key}, did you mean {suggestion}?',
  },
  'config.unknown_key_elsewhere': {
    'zh-CN': '未知的配置键 {key}；{suggestion} 是 {where} 下的键',
    en: 'unknown key {key}; {suggestion} is a key of {where}',
  },
});
