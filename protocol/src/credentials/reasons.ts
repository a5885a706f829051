import { defineMessages } from '../i18n/index.js';

/**
 * Why a QR credential was refused. The codes go into access events as `reason`; the
 * texts (ids "reason.<code>") are what the guard sees on the gate view.
 */
export const CREDENTIAL_REASONS = [
  'credential.unknown_prefix',
  'credential.unsupported_version',
  'credential.bad_length',
  'credential.malformed',
  'credential.unsupported_kind',
  'credential.unknown_key',
  'credential.bad_signature',
  'credential.not_yet_valid',
  'credential.expired',
  'credential.revoked',
] as const;
export type CredentialReason = (typeof CREDENTIAL_REASONS)[number];

/** Reasons decodeCredential can give: the ones that need no key and no clock. */
export type CredentialDecodeReason = Extract<
  CredentialReason,
  | 'credential.unknown_prefix'
  | 'credential.unsupported_version'
  | 'credential.bad_length'
  | 'credential.malformed'
  | 'credential.unsupported_kind'
>;

export const credentialMessages = defineMessages({
  'reason.credential.unknown_prefix': {
    'zh-CN': '不是本校的二维码',
    en: 'Not a campus QR code',
  },
  'reason.credential.unsupported_version': {
    'zh-CN': '二维码格式版本过新，请升级边缘网关',
    en: 'QR code format is newer than this edge understands; update the edge gateway',
  },
  'reason.credential.bad_length': {
    'zh-CN': '二维码长度不正确（可能读取不完整）',
    en: 'QR code has the wrong length (possibly read incompletely)',
  },
  'reason.credential.malformed': {
    'zh-CN': '二维码内容损坏或被篡改',
    en: 'QR code content is damaged or altered',
  },
  'reason.credential.unsupported_kind': {
    'zh-CN': '不支持的凭证类型',
    en: 'Unsupported credential kind',
  },
  'reason.credential.unknown_key': {
    'zh-CN': '签发密钥 {kid} 未登记，凭证无法验证',
    en: 'Issuer key {kid} is not registered; the credential cannot be verified',
  },
  'reason.credential.bad_signature': {
    'zh-CN': '签名无效：伪造或被篡改的凭证',
    en: 'Invalid signature: forged or altered credential',
  },
  'reason.credential.not_yet_valid': {
    'zh-CN': '通行证尚未生效（生效时间 {validFrom}）',
    en: 'Pass is not valid yet (valid from {validFrom})',
  },
  'reason.credential.expired': {
    'zh-CN': '通行证已过期（截止 {validUntil}）',
    en: 'Pass has expired (valid until {validUntil})',
  },
  'reason.credential.revoked': {
    'zh-CN': '卡片已挂失或已补办（卡版本 {cardVersion}，当前版本 {currentVersion}）',
    en: 'Card was reported lost or replaced (card version {cardVersion}, current version {currentVersion})',
  },
  'credential.error.invalid': {
    'zh-CN': '凭证内容不合法：{detail}',
    en: 'Invalid credential content: {detail}',
  },
  'credential.error.too_long': {
    'zh-CN': '凭证编码后为 {length} 个字符，超过上限 {max}；请缩短编号或减少通行点',
    en: 'Encoded credential is {length} characters, over the limit of {max}; use shorter ids or fewer places',
  },
  'credential.error.bad_key': {
    'zh-CN': '密钥 {kid} 不是有效的 Ed25519 密钥：{detail}',
    en: 'Key {kid} is not a valid Ed25519 key: {detail}',
  },
  'credential.error.bad_kid': {
    'zh-CN': '密钥编号 {kid} 不合法：应为两个字符（0-9、A-Z），例如 K1',
    en: 'Key id {kid} is invalid: two characters 0-9 A-Z, e.g. K1',
  },
});

/** Message id for a reason code. */
export function credentialReasonMessageId(reason: CredentialReason): string {
  return `reason.${reason}`;
}
