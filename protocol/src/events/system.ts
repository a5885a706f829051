import { defineMessages } from '../i18n/index.js';

/** Event types and reason codes of the edge itself (start/stop, security, clock). */
export const SYSTEM_EVENTS = {
  started: 'system.started',
  stopped: 'system.stopped',
  clockStatus: 'system.clock',
  security: 'security.refused',
  login: 'security.login',
  demo: 'demo.note',
} as const;

export const systemReasons = defineMessages({
  'reason.system.started': { 'zh-CN': '边缘网关已启动', en: 'Edge gateway started' },
  'reason.system.stopped': { 'zh-CN': '边缘网关已正常停止', en: 'Edge gateway stopped cleanly' },
  'reason.clock.untrusted': { 'zh-CN': '系统时钟未同步，事件时间可能不准', en: 'System clock not synchronised; event times may be wrong' },
  'reason.clock.synchronized': { 'zh-CN': '系统时钟已同步', en: 'System clock synchronised' },
  'reason.clock.backwards': { 'zh-CN': '系统时钟向后跳变 {deltaMs} 毫秒', en: 'System clock jumped backwards by {deltaMs} ms' },
  'reason.mqtt.auth_failed': { 'zh-CN': 'MQTT 客户端 {clientId} 认证失败', en: 'MQTT client {clientId} failed authentication' },
  'reason.mqtt.publish_denied': { 'zh-CN': 'MQTT 客户端 {clientId} 无权发布到 {topic}', en: 'MQTT client {clientId} may not publish to {topic}' },
  'reason.mqtt.subscribe_denied': { 'zh-CN': 'MQTT 客户端 {clientId} 无权订阅 {topic}', en: 'MQTT client {clientId} may not subscribe to {topic}' },
  'reason.mqtt.payload_too_large': { 'zh-CN': 'MQTT 客户端 {clientId} 的消息过大（{size} 字节）', en: 'MQTT client {clientId} sent an oversized message ({size} bytes)' },
  'reason.mqtt.invalid_topic': { 'zh-CN': 'MQTT 客户端 {clientId} 使用了非法主题 {topic}', en: 'MQTT client {clientId} used an invalid topic {topic}' },
  'reason.login.ok': { 'zh-CN': '用户 {username} 登录', en: 'User {username} signed in' },
  'reason.login.failed': { 'zh-CN': '用户 {username} 登录失败', en: 'Sign-in failed for {username}' },
  'reason.login.locked': { 'zh-CN': '登录尝试过多，已暂时锁定', en: 'Too many sign-in attempts; temporarily locked' },
  'reason.demo.note': { 'zh-CN': '演示校园：{text}', en: 'Demo campus: {text}' },
});
