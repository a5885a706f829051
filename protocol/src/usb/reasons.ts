import { bilingual, defineMessages, type Params } from '../i18n/index.js';

/**
 * Machine-readable reason codes of the USB guard. Every decision, refusal and event
 * carries one; the texts below are what the panel, logs and the agent's CLI show.
 */
export const USB_REASON = {
  allowedKillSwitch: 'usb.allowed.kill_switch',
  allowedHub: 'usb.allowed.hub',
  allowedHid: 'usb.allowed.hid',
  allowedException: 'usb.allowed.exception',
  allowedRule: 'usb.allowed.rule',
  allowedDefault: 'usb.allowed.default',
  blockedRule: 'usb.blocked.rule',
  blockedMassStorage: 'usb.blocked.mass_storage',
  blockedDefault: 'usb.blocked.default',
  blockedKeystrokeGuard: 'usb.blocked.keystroke_guard',
  blockedExceptionExpired: 'usb.blocked.exception_expired',
  blockedMalformed: 'usb.blocked.malformed',
  blockedNoInterfaces: 'usb.blocked.no_interfaces',
  deviceInserted: 'usb.device.inserted',
  deviceRemoved: 'usb.device.removed',
  eventsDropped: 'usb.events.dropped',
  policyApplied: 'usb.policy.applied',
  policyAlreadyApplied: 'usb.policy.already_applied',
  policyMalformed: 'usb.policy.malformed',
  policyTooLarge: 'usb.policy.too_large',
  policyUnknownKey: 'usb.policy.unknown_key',
  policyBadSignature: 'usb.policy.bad_signature',
  policyInvalid: 'usb.policy.invalid',
  policyOlder: 'usb.policy.older',
  policyVersionConflict: 'usb.policy.version_conflict',
  policyWrongTarget: 'usb.policy.wrong_target',
  policyNotPersisted: 'usb.policy.not_persisted',
} as const;
export type UsbReason = (typeof USB_REASON)[keyof typeof USB_REASON];
export const USB_REASONS: readonly UsbReason[] = Object.values(USB_REASON);

export const usbReasonMessages = defineMessages({
  'reason.usb.allowed.kill_switch': { 'zh-CN': '紧急开关已开启：所有 USB 设备放行', en: 'Kill switch on: all USB devices allowed' },
  'reason.usb.allowed.hub': { 'zh-CN': 'USB 集线器始终放行', en: 'USB hubs are always allowed' },
  'reason.usb.allowed.hid': { 'zh-CN': '键盘、鼠标等 HID 设备始终放行', en: 'Keyboards, mice and other HID devices are always allowed' },
  'reason.usb.allowed.exception': { 'zh-CN': '临时例外 {rule} 放行（至 {expiresAt}）', en: 'Allowed by temporary exception {rule} (until {expiresAt})' },
  'reason.usb.allowed.rule': { 'zh-CN': '规则 {rule} 放行', en: 'Allowed by rule {rule}' },
  'reason.usb.allowed.default': { 'zh-CN': '策略默认放行', en: 'Allowed by the policy default' },
  'reason.usb.blocked.rule': { 'zh-CN': '规则 {rule} 禁止', en: 'Blocked by rule {rule}' },
  'reason.usb.blocked.mass_storage': { 'zh-CN': 'U 盘等大容量存储设备默认禁止', en: 'USB mass storage is blocked by default' },
  'reason.usb.blocked.default': { 'zh-CN': '未被允许的 USB 设备默认禁止', en: 'USB devices not allowed by a rule are blocked by default' },
  'reason.usb.blocked.keystroke_guard': { 'zh-CN': '已有键盘时又接入新键盘，需信息中心批准（防键盘注入）', en: 'A second keyboard appeared while one is present; it needs IT approval (keystroke-injection guard)' },
  'reason.usb.blocked.exception_expired': { 'zh-CN': '临时例外 {rule} 已过期', en: 'Temporary exception {rule} has expired' },
  'reason.usb.blocked.malformed': { 'zh-CN': '设备描述符格式异常，已禁止', en: 'The device reported malformed descriptors and was blocked' },
  'reason.usb.blocked.no_interfaces': { 'zh-CN': '设备没有可识别的接口，已禁止', en: 'The device has no recognisable interfaces and was blocked' },
  'reason.usb.device.inserted': { 'zh-CN': 'USB 设备接入', en: 'USB device inserted' },
  'reason.usb.device.removed': { 'zh-CN': 'USB 设备拔出', en: 'USB device removed' },
  'reason.usb.events.dropped': { 'zh-CN': '事件过多，已丢弃 {count} 条', en: 'Too many events: {count} dropped' },
  'reason.usb.policy.applied': { 'zh-CN': 'USB 策略 v{version} 已生效', en: 'USB policy v{version} applied' },
  'reason.usb.policy.already_applied': { 'zh-CN': 'USB 策略 v{version} 早已生效', en: 'USB policy v{version} was already applied' },
  'reason.usb.policy.malformed': { 'zh-CN': 'USB 策略消息格式错误，已拒绝', en: 'USB policy message is malformed; refused' },
  'reason.usb.policy.too_large': { 'zh-CN': 'USB 策略消息过大（{size} 字节），已拒绝', en: 'USB policy message is too large ({size} bytes); refused' },
  'reason.usb.policy.unknown_key': { 'zh-CN': 'USB 策略的签名密钥 {kid} 未知，已拒绝', en: 'USB policy is signed with an unknown key {kid}; refused' },
  'reason.usb.policy.bad_signature': { 'zh-CN': 'USB 策略签名无效，已拒绝', en: 'USB policy signature is invalid; refused' },
  'reason.usb.policy.invalid': { 'zh-CN': 'USB 策略内容不符合格式（{detail}），已拒绝', en: 'USB policy content is invalid ({detail}); refused' },
  'reason.usb.policy.older': { 'zh-CN': 'USB 策略 v{version} 不比当前 v{active} 新，已拒绝', en: 'USB policy v{version} is not newer than the active v{active}; refused' },
  'reason.usb.policy.version_conflict': { 'zh-CN': 'USB 策略 v{version} 与已生效的同版本内容不同，已拒绝', en: 'USB policy v{version} differs from the applied policy of the same version; refused' },
  'reason.usb.policy.wrong_target': { 'zh-CN': 'USB 策略 v{version} 不是发给本机的，已拒绝', en: 'USB policy v{version} is not addressed to this PC; refused' },
  'reason.usb.policy.not_persisted': { 'zh-CN': 'USB 策略 v{version} 已生效，但未能保存到磁盘', en: 'USB policy v{version} applied but could not be saved to disk' },
});

/** Both languages of a reason, zh-CN first. */
export function usbReasonText(reason: UsbReason, params?: Params): { 'zh-CN': string; en: string } {
  return bilingual(`reason.${reason}`, params);
}
