import { defineMessages } from '@campus/protocol/i18n';

/**
 * Event types the edge records for the endpoint guard (besides the agents' own `usb.*`
 * events, whose types and reasons come from protocol/usb).
 */
export const ENDPOINT_EVENTS = {
  agent: 'endpoint.agent',
  policy: 'endpoint.policy',
  request: 'endpoint.request',
  grant: 'endpoint.grant',
  message: 'endpoint.message',
} as const;

export const ENDPOINT_REASON = {
  agentSilent: 'endpoint.agent.silent',
  agentHeardAgain: 'endpoint.agent.heard_again',
  agentProvisioned: 'endpoint.agent.provisioned',
  agentCredentialsRotated: 'endpoint.agent.credentials_rotated',
  agentDecommissioned: 'endpoint.agent.decommissioned',
  policyPublishedAll: 'endpoint.policy.published_all',
  policyPublishedGroup: 'endpoint.policy.published_group',
  policyPublishedPc: 'endpoint.policy.published_pc',
  requestReceived: 'endpoint.request.received',
  requestApprovedTemporary: 'endpoint.request.approved_temporary',
  requestApprovedPermanent: 'endpoint.request.approved_permanent',
  requestDenied: 'endpoint.request.denied',
  grantAddedTemporary: 'endpoint.grant.added_temporary',
  grantAddedPermanent: 'endpoint.grant.added_permanent',
  grantRevoked: 'endpoint.grant.revoked',
  messageInvalid: 'endpoint.message.invalid',
  messageRateLimited: 'endpoint.message.rate_limited',
} as const;

export const endpointReasonMessages = defineMessages({
  'reason.endpoint.agent.silent': {
    'zh-CN': '终端 {displayName}（{agentId}）已 {silentForS} 秒无消息，请检查电脑是否关机、断网或管控程序被停止',
    en: 'PC {displayName} ({agentId}) has been silent for {silentForS} s: check whether it is off, offline or its guard was stopped',
  },
  'reason.endpoint.agent.heard_again': { 'zh-CN': '终端 {displayName}（{agentId}）恢复联络', en: 'PC {displayName} ({agentId}) is heard again' },
  'reason.endpoint.agent.provisioned': { 'zh-CN': '已登记终端 {displayName}（{agentId}）', en: 'PC {displayName} ({agentId}) registered' },
  'reason.endpoint.agent.credentials_rotated': { 'zh-CN': '终端 {agentId} 的接入凭据已重新生成', en: 'New credentials issued for PC {agentId}' },
  'reason.endpoint.agent.decommissioned': { 'zh-CN': '终端 {agentId} 已注销，接入凭据已停用', en: 'PC {agentId} decommissioned; its credentials are disabled' },
  'reason.endpoint.policy.published_all': { 'zh-CN': 'USB 策略 v{version} 已下发到全部 {agents} 台终端', en: 'USB policy v{version} pushed to all {agents} PCs' },
  'reason.endpoint.policy.published_group': {
    'zh-CN': 'USB 策略 v{version} 已下发到分组 {group}（{agents} 台终端）',
    en: 'USB policy v{version} pushed to group {group} ({agents} PCs)',
  },
  'reason.endpoint.policy.published_pc': { 'zh-CN': 'USB 策略 v{version} 已下发到终端 {agentId}', en: 'USB policy v{version} pushed to PC {agentId}' },
  'reason.endpoint.request.received': {
    'zh-CN': '{requestedBy} 在终端 {agentId} 上申请使用设备 {deviceText}',
    en: '{requestedBy} asks to use {deviceText} on PC {agentId}',
  },
  'reason.endpoint.request.approved_temporary': {
    'zh-CN': '已批准 {requestedBy} 在终端 {agentId} 上临时使用 {deviceText}，至 {until}',
    en: 'Approved {deviceText} for {requestedBy} on PC {agentId} until {until}',
  },
  'reason.endpoint.request.approved_permanent': {
    'zh-CN': '已批准 {requestedBy} 在终端 {agentId} 上长期使用 {deviceText}',
    en: 'Approved {deviceText} for {requestedBy} on PC {agentId} permanently',
  },
  'reason.endpoint.request.denied': {
    'zh-CN': '已拒绝 {requestedBy} 在终端 {agentId} 上使用 {deviceText} 的申请',
    en: 'Refused the request of {requestedBy} for {deviceText} on PC {agentId}',
  },
  'reason.endpoint.grant.added_temporary': { 'zh-CN': '终端 {agentId} 临时允许使用 {deviceText}，至 {until}', en: 'PC {agentId} may use {deviceText} until {until}' },
  'reason.endpoint.grant.added_permanent': { 'zh-CN': '终端 {agentId} 长期允许使用 {deviceText}', en: 'PC {agentId} may use {deviceText} permanently' },
  'reason.endpoint.grant.revoked': { 'zh-CN': '终端 {agentId} 对 {deviceText} 的授权已撤销', en: 'Permission for {deviceText} on PC {agentId} revoked' },
  'reason.endpoint.message.invalid': {
    'zh-CN': '终端 {agentId} 发来无效消息（{problem}），已丢弃',
    en: 'PC {agentId} sent an invalid message ({problem}); discarded',
  },
  'reason.endpoint.message.rate_limited': {
    'zh-CN': '终端 {agentId} 的 USB 事件过多，已丢弃 {dropped} 条',
    en: 'Too many USB events from PC {agentId}: {dropped} discarded',
  },
});

/** User-facing API errors of the endpoint routes (ids: error.<code>). */
export const endpointApiMessages = defineMessages({
  'error.endpoints.unavailable': {
    'zh-CN': 'USB 管控服务未能启动（{detail}），请查看边缘网关日志',
    en: 'The USB guard service did not start ({detail}); see the edge log',
  },
  'error.endpoints.agent_exists': {
    'zh-CN': '终端 {agentId} 已登记；如需新的配置文件，请为它重新生成凭据',
    en: 'PC {agentId} is already registered; issue new credentials to get a new config file',
  },
  'error.endpoints.client_taken': {
    'zh-CN': 'ID {agentId} 已被另一类 MQTT 客户端（{role}）使用，请换一个终端 ID',
    en: 'The id {agentId} belongs to another kind of MQTT client ({role}); choose another PC id',
  },
  'error.endpoints.config_refused': {
    'zh-CN': '生成的终端配置文件不会被终端程序接受（{detail}），未注册该电脑',
    en: 'The agent would refuse the config file made for this PC ({detail}); the PC was not registered',
  },
  'error.endpoints.no_tls': {
    'zh-CN': '消息代理未开启 TLS（mqtt.tls.enabled），终端无法安全接入',
    en: 'The broker has no TLS (mqtt.tls.enabled), so PCs cannot connect securely',
  },
  'error.endpoints.unknown_version': { 'zh-CN': '没有 USB 策略版本 v{version}', en: 'There is no USB policy version v{version}' },
  'error.endpoints.request_decided': {
    'zh-CN': '该申请已处理（{status}），不能再次处理',
    en: 'This request was already handled ({status})',
  },
  'error.endpoints.too_many_grants': {
    'zh-CN': '终端 {agentId} 已有 {count} 项设备授权（上限 {max}），请先撤销不再需要的授权',
    en: 'PC {agentId} already has {count} device permissions (limit {max}); revoke ones no longer needed first',
  },
  'error.endpoints.policy_too_large': {
    'zh-CN': '策略与设备授权合计超过上限（{detail}）',
    en: 'The policy together with the device permissions exceeds a limit ({detail})',
  },
  'error.endpoints.grant_revoked': { 'zh-CN': '该授权已撤销', en: 'This permission was already revoked' },
});
