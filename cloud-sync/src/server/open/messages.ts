import { defineMessages } from '@campus/protocol';

/** Texts of the open-data API (API keys, webhooks, exports). zh-CN first. */
export const openMessages = defineMessages({
  'open.error.key_missing': {
    'zh-CN': '缺少 API 密钥：请在请求头 Authorization 中使用 "Bearer <密钥>"',
    en: 'API key missing: send "Authorization: Bearer <key>"',
  },
  'open.error.key_invalid': { 'zh-CN': 'API 密钥无效、已吊销或已过期', en: 'The API key is invalid, revoked or expired' },
  'open.error.scope': {
    'zh-CN': '此 API 密钥没有权限范围 "{scope}"，不能{what}。请学校管理员创建带有该范围的密钥',
    en: 'This API key lacks the scope "{scope}" needed to {whatEn}. Ask the school admin for a key with that scope',
  },
  'open.error.school': {
    'zh-CN': '此 API 密钥属于学校 {keySchool}，不能访问学校 {schoolId} 的数据',
    en: 'This API key belongs to school {keySchool}; it cannot read school {schoolId}',
  },
  'open.error.cursor': { 'zh-CN': '分页游标无效（请使用上一页返回的 next 值）', en: 'Invalid page cursor (use the "next" value of the previous page)' },
  'open.error.kind': { 'zh-CN': '未知的数据类型 {kind}；可用：{kinds}', en: 'Unknown kind {kind}; available: {kinds}' },
  'open.error.webhook_url': {
    'zh-CN': '回调地址 {url} 不可用：必须是 https 地址（仅本机测试可用 http）',
    en: 'Webhook URL {url} is not allowed: it must be https (plain http only for local testing)',
  },
  'open.error.webhook_types': { 'zh-CN': '订阅的事件类型无效：{detail}', en: 'Invalid event types: {detail}' },
  'open.error.export_too_large': {
    'zh-CN': '导出内容超过 {limit} 行，请缩小时间范围或分类型导出',
    en: 'The export exceeds {limit} rows; narrow the time range or export one kind at a time',
  },
  'open.error.range': { 'zh-CN': '时间范围无效：开始必须早于结束，且不超过 {days} 天', en: 'Invalid range: the start must precede the end, at most {days} days apart' },
  'open.scope.records:read': { 'zh-CN': '读取学校名册等记录', en: 'read the school\'s records' },
  'open.scope.records:write': { 'zh-CN': '写入学校名册等记录', en: 'write the school\'s records' },
  'open.scope.events:read': { 'zh-CN': '读取事件', en: 'read events' },
  'open.scope.export': { 'zh-CN': '批量导出', en: 'export in bulk' },
  'open.scope.sensitive': { 'zh-CN': '读取敏感个人信息（电话、健康信息等）', en: 'read sensitive personal information (phone numbers, health data)' },
  'open.webhook.status.active': { 'zh-CN': '正常', en: 'Active' },
  'open.webhook.status.paused': { 'zh-CN': '已暂停（管理员）', en: 'Paused by an admin' },
  'open.webhook.status.failing': { 'zh-CN': '投递失败，正在重试', en: 'Failing; retrying' },
  'open.webhook.status.disabled': {
    'zh-CN': '连续失败超过 {hours} 小时，已自动停用；修复接收端后请重新启用',
    en: 'Disabled after {hours} hours of failures; fix the receiver, then enable it again',
  },
});
