import type { PanelMessageId } from '../../i18n/messages';
import type { Params } from '@campus/protocol/i18n';
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

export const USB_CLASS_NAMES: Record<number, string> = {
  1: 'Audio',
  2: 'CDC',
  3: 'HID',
  6: 'Image/MTP',
  7: 'Printer',
  8: 'Mass storage',
  9: 'Hub',
  10: 'CDC data',
  11: 'Smart card',
  14: 'Video',
  224: 'Wireless',
  239: 'Misc',
  255: 'Vendor',
};

export function classesLabel(classes: readonly number[]): string {
  return classes.map((c) => `${c.toString(16).padStart(2, '0')} ${USB_CLASS_NAMES[c] ?? ''}`.trim()).join(', ');
}
