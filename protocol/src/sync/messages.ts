import { defineMessages } from '../i18n/index.js';

/** Errors the cloud returns to an edge (API bodies carry both languages). */
export const syncMessages = defineMessages({
  'sync.error.unauthenticated': { 'zh-CN': '请求未签名或签名无效', en: 'Request is unsigned or the signature is invalid' },
  'sync.error.stale': { 'zh-CN': '请求时间戳与云端时钟相差过大，请校准网关时钟', en: 'Request timestamp is too far from the cloud clock; synchronise the edge clock' },
  'sync.error.replay': { 'zh-CN': '重复的请求（nonce 已使用）', en: 'Replayed request (nonce already used)' },
  'sync.error.cross_school': { 'zh-CN': '批次包含不属于本校的事件（站点 {site}）', en: 'Batch contains events of another school (site {site})' },
  'sync.error.invalid': { 'zh-CN': '请求格式错误：{detail}', en: 'Malformed request: {detail}' },
  'sync.error.too_large': { 'zh-CN': '请求体过大（上限 {limit} 字节）', en: 'Request body too large (limit {limit} bytes)' },
  'sync.error.not_found': { 'zh-CN': '未找到', en: 'Not found' },
  'sync.error.forbidden': { 'zh-CN': '无权访问', en: 'Forbidden' },
  'sync.error.rate_limited': { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  'sync.error.internal': { 'zh-CN': '云端内部错误，请稍后重试', en: 'Internal cloud error; retry later' },
  'sync.error.edge_disabled': { 'zh-CN': '该网关已停用', en: 'This edge has been disabled' },
});
