import type { PanelMessageId } from '../../i18n/messages';
import type { Locale, Message, Params } from '@campus/protocol/i18n';
import type { USB_CLASS } from '@campus/protocol/usb/classes';
import type { DeviceIdentity, PolicyTarget } from './api';

type T = (id: PanelMessageId, params?: Params) => string;

export function targetLabel(t: T, target: PolicyTarget): string {
  switch (target.scope) {
    case 'all':
      return t('panel.endpoints.target.all');
    case 'group':
      return t('panel.endpoints.target.group', { group: target.group });
    case 'pc':
      return t('panel.endpoints.target.pc', { agentId: target.agentId });
  }
}

/** "0781:5567 Cruzer Blade #4C53…": what IT recognises a stick by. */
export function deviceLabel(d: Pick<DeviceIdentity, 'vid' | 'pid' | 'product' | 'serial'>): string {
  return [`${d.vid}:${d.pid}`, d.product, d.serial ? `#${d.serial}` : null].filter(Boolean).join(' ');
}

/** A class code protocol/ defines (USB_CLASS): the label table below must name every one. */
export type UsbClassCode = (typeof USB_CLASS)[keyof typeof USB_CLASS];

/** USB-IF interface classes in words IT staff use: "08 大容量存储", not "08 Mass storage". */
export const usbClassMessages = {
  0x00: { 'zh-CN': '按接口区分', en: 'Per interface' },
  0x01: { 'zh-CN': '音频', en: 'Audio' },
  0x02: { 'zh-CN': '通信（CDC）', en: 'Communications (CDC)' },
  0x03: { 'zh-CN': '键盘鼠标等输入设备（HID）', en: 'Keyboard, mouse (HID)' },
  0x05: { 'zh-CN': '物理反馈设备', en: 'Physical' },
  0x06: { 'zh-CN': '相机/图像', en: 'Camera/image' },
  0x07: { 'zh-CN': '打印机', en: 'Printer' },
  0x08: { 'zh-CN': '大容量存储', en: 'Mass storage' },
  0x09: { 'zh-CN': '集线器', en: 'Hub' },
  0x0a: { 'zh-CN': '通信数据', en: 'CDC data' },
  0x0b: { 'zh-CN': '智能卡', en: 'Smart card' },
  0x0d: { 'zh-CN': '内容保护', en: 'Content security' },
  0x0e: { 'zh-CN': '视频', en: 'Video' },
  0x0f: { 'zh-CN': '个人健康设备', en: 'Personal healthcare' },
  0x10: { 'zh-CN': '音视频', en: 'Audio/video' },
  0x11: { 'zh-CN': 'USB-C 信息板', en: 'Billboard' },
  0x12: { 'zh-CN': 'USB-C 桥接', en: 'USB-C bridge' },
  0xdc: { 'zh-CN': '诊断设备', en: 'Diagnostic' },
  0xe0: { 'zh-CN': '无线（蓝牙等）', en: 'Wireless (Bluetooth)' },
  0xef: { 'zh-CN': '复合设备', en: 'Miscellaneous' },
  0xfe: { 'zh-CN': '专用设备', en: 'Application specific' },
  0xff: { 'zh-CN': '厂商自定义', en: 'Vendor specific' },
} as const satisfies Record<UsbClassCode, Message>;

/** Every interface class a policy rule may name, with its label, in code order. */
export function usbClassOptions(locale: Locale): { value: number; label: string }[] {
  return Object.keys(usbClassMessages)
    .map(Number)
    .filter((c) => c !== 0)
    .sort((a, b) => a - b)
    .map((c) => ({ value: c, label: usbClassLabel(locale, c) }));
}

/** "08 大容量存储"; a code protocol/ does not know shows as its hex number. */
export function usbClassLabel(locale: Locale, code: number): string {
  const msg = (usbClassMessages as Record<number, Message | undefined>)[code];
  const hex = code.toString(16).padStart(2, '0');
  return msg ? `${hex} ${msg[locale]}` : hex;
}

export function classesLabel(locale: Locale, classes: readonly number[]): string {
  return classes.map((c) => usbClassLabel(locale, c)).join(locale === 'zh-CN' ? '、' : ', ');
}
