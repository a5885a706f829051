import { bilingual, defineMessages, type Params } from '@campus/protocol/i18n';

/** What the agent says to the people who install and run it (IT staff), zh-CN first. */
export const guardMessages = defineMessages({
  'guard.config.unreadable': { 'zh-CN': '无法读取配置文件 {path}：{error}', en: 'Cannot read the config file {path}: {error}' },
  'guard.config.too_open': {
    'zh-CN': '配置文件 {path} 含有登录凭据，但同组或其他用户可以访问（权限 {mode}）。请执行：chmod 600 {path}，并确认属主为 root',
    en: 'The config file {path} holds credentials but group or other users can access it (mode {mode}). Run: chmod 600 {path} and make sure root owns it',
  },
  'guard.config.not_json': { 'zh-CN': '配置文件 {path} 不是合法的 JSON：{error}', en: 'The config file {path} is not valid JSON: {error}' },
  'guard.config.invalid': { 'zh-CN': '配置文件 {path} 有误：{detail}', en: 'The config file {path} is invalid: {detail}' },
  'guard.config.bad_key': { 'zh-CN': '策略公钥 {kid} 无法使用：{error}', en: 'Policy public key {kid} cannot be used: {error}' },
  'guard.config.bad_cert': { 'zh-CN': '网关证书无法读取：{error}', en: 'The edge certificate cannot be read: {error}' },
  'guard.config.ok': { 'zh-CN': '配置文件 {path} 检查通过（终端 {agentId}）', en: 'Config file {path} is valid (agent {agentId})' },
  'guard.cli.usage': {
    'zh-CN': '用法：campus-guard start --config <文件> | check-config --config <文件> | windows-plan --policy <文件> [--devices <文件>]',
    en: 'Usage: campus-guard start --config <file> | check-config --config <file> | windows-plan --policy <file> [--devices <file>]',
  },
  'guard.cli.windows_start': {
    'zh-CN': '注意：Windows 上的管控尚未在真机验证，请先在测试电脑上试点（可用 windows-plan 查看将要写入的策略）',
    en: 'Note: enforcement on Windows is not verified on real machines yet; pilot it on a test PC first (windows-plan shows what it will write)',
  },
  'guard.edge.pin_mismatch': {
    'zh-CN': '网关证书指纹 {actual} 与配置不符，已拒绝连接（可能是伪造的网关）',
    en: 'The edge certificate fingerprint {actual} does not match the configuration; connection refused (possibly a fake edge)',
  },
});

export type GuardMessageId = keyof typeof guardMessages;

export function guardText(id: GuardMessageId, params?: Params): { 'zh-CN': string; en: string } {
  return bilingual(id, params);
}
