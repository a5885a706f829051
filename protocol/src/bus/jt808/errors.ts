import { defineMessages, translate } from '../../i18n/index.js';

/** Why a JT/T 808 frame was refused: the code is counted, the text (zh-CN first) logged. */
export const JT808_ERRORS = [
  'jt808.bad_delimiter',
  'jt808.bad_escape',
  'jt808.bad_xor',
  'jt808.too_short',
  'jt808.too_long',
  'jt808.bad_length',
  'jt808.bad_bcd',
  'jt808.bad_time',
  'jt808.unknown_id',
  'jt808.encrypted',
  'jt808.bad_field',
  'jt808.not_authenticated',
  'jt808.auth_failed',
  'jt808.unknown_terminal',
  'jt808.wrong_vehicle',
  'jt808.wrong_terminal',
  'jt808.flood',
] as const;
export type Jt808ErrorCode = (typeof JT808_ERRORS)[number];

export const jt808Messages = defineMessages({
  'reason.jt808.bad_delimiter': { 'zh-CN': 'JT/T 808 帧必须以 0x7E 开始和结束', en: 'A JT/T 808 frame must start and end with 0x7E' },
  'reason.jt808.bad_escape': { 'zh-CN': 'JT/T 808 转义错误：0x7D 后为 {byte}（只允许 01 或 02）', en: 'Bad JT/T 808 escape: 0x7D followed by {byte} (only 01 or 02 allowed)' },
  'reason.jt808.bad_xor': { 'zh-CN': 'JT/T 808 校验码错误：收到 {got}，计算得 {want}', en: 'Bad JT/T 808 check code: got {got}, computed {want}' },
  'reason.jt808.too_short': { 'zh-CN': 'JT/T 808 帧太短（{bytes} 字节）', en: 'JT/T 808 frame too short ({bytes} bytes)' },
  'reason.jt808.too_long': { 'zh-CN': 'JT/T 808 帧超过 {max} 字节', en: 'JT/T 808 frame longer than {max} bytes' },
  'reason.jt808.bad_length': { 'zh-CN': 'JT/T 808 消息体长度不符：声明 {declared}，实际 {actual}', en: 'JT/T 808 body length mismatch: declared {declared}, actual {actual}' },
  'reason.jt808.bad_bcd': { 'zh-CN': 'JT/T 808 BCD 字段含非数字 {byte}', en: 'JT/T 808 BCD field holds a non-digit {byte}' },
  'reason.jt808.bad_time': { 'zh-CN': 'JT/T 808 时间无效：{time}', en: 'Invalid JT/T 808 time: {time}' },
  'reason.jt808.unknown_id': { 'zh-CN': '不支持的 JT/T 808 消息 ID {msgId}', en: 'Unsupported JT/T 808 message id {msgId}' },
  'reason.jt808.encrypted': { 'zh-CN': '不支持加密的 JT/T 808 消息', en: 'Encrypted JT/T 808 messages are not supported' },
  'reason.jt808.bad_field': { 'zh-CN': 'JT/T 808 消息 {msgId} 的字段 {field} 无效', en: 'Field {field} of JT/T 808 message {msgId} is invalid' },
  'reason.jt808.not_authenticated': { 'zh-CN': '终端 {phone} 未鉴权就发送了 {msgId}', en: 'Terminal {phone} sent {msgId} before authenticating' },
  'reason.jt808.auth_failed': { 'zh-CN': '终端 {phone} 鉴权码错误', en: 'Terminal {phone} gave a wrong authentication code' },
  'reason.jt808.unknown_terminal': { 'zh-CN': '未登记的终端 {phone}', en: 'Unregistered terminal {phone}' },
  'reason.jt808.wrong_vehicle': { 'zh-CN': '终端 {phone} 注册的车牌 {plate} 与登记的 {expected} 不符', en: 'Terminal {phone} registered plate {plate}, but it belongs to {expected}' },
  'reason.jt808.wrong_terminal': { 'zh-CN': '连接已鉴权为终端 {phone}，却以 {other} 的号码上报', en: 'The connection authenticated as terminal {phone} but reported as {other}' },
  'reason.jt808.flood': { 'zh-CN': '终端 {phone} 每秒发送超过 {limit} 帧，多余的已丢弃', en: 'Terminal {phone} sent more than {limit} frames a second; the excess was dropped' },
});

export class Jt808Error extends Error {
  constructor(
    readonly code: Jt808ErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${translate('zh-CN', `reason.${code}`, params)} / ${translate('en', `reason.${code}`, params)}`);
    this.name = 'Jt808Error';
  }
}

export const hex = (n: number, width = 2): string => '0x' + n.toString(16).toUpperCase().padStart(width, '0');
