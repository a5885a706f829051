import { defineMessages } from '@campus/protocol/i18n';

/** User-facing API error texts (zh-CN first). Ids: error.<code>. */
export const apiMessages = defineMessages({
  'error.request.malformed_json': { 'zh-CN': '请求内容不是有效的 JSON：{detail}', en: 'The request body is not valid JSON: {detail}' },
  'error.request.not_object': { 'zh-CN': '请求内容须为 JSON 对象，收到的是：{got}', en: 'The request body must be a JSON object; got: {got}' },
  'error.request.invalid': { 'zh-CN': '请求内容不符合要求：{detail}', en: 'The request is invalid: {detail}' },
  'error.request.too_large': { 'zh-CN': '请求内容过大（上限 {limit} 字节）', en: 'The request body is too large (limit {limit} bytes)' },
  'error.request.unsupported_type': { 'zh-CN': '请以 application/json 发送请求内容', en: 'Send the request body as application/json' },
  'error.not_found': { 'zh-CN': '没有找到：{what}', en: 'Not found: {what}' },
  'error.conflict': { 'zh-CN': '已存在：{what}', en: 'Already exists: {what}' },
  'error.auth.required': { 'zh-CN': '请先登录', en: 'Please sign in first' },
  'error.auth.invalid': { 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' },
  'error.auth.locked': { 'zh-CN': '登录失败次数过多，请 {retryAfterSec} 秒后再试', en: 'Too many failed sign-ins; try again in {retryAfterSec} s' },
  'error.auth.csrf': { 'zh-CN': '请求缺少有效的防伪令牌，请刷新页面后重试', en: 'Missing or invalid CSRF token; reload the page and try again' },
  'error.auth.forbidden': { 'zh-CN': '您的角色无权执行此操作', en: 'Your role is not allowed to do this' },
  'error.response_contract': { 'zh-CN': '接口 {route} 的应答不符合其声明的格式（测试检查）', en: 'The answer of {route} does not match its declared response schema (test check)' },
  'error.internal': { 'zh-CN': '服务器内部错误，已记录日志，请联系管理员', en: 'Internal error; it has been logged, please contact the administrator' },
});
