/**
 * USB-IF class codes (https://www.usb.org/defined-class-codes) that the guard reasons
 * about. Classes are decided per interface: a composite stick can carry a keyboard
 * (0x03) and a disk (0x08) side by side, and each gets its own decision.
 */
export const USB_CLASS = {
  perInterface: 0x00,
  audio: 0x01,
  communications: 0x02,
  hid: 0x03,
  physical: 0x05,
  image: 0x06,
  printer: 0x07,
  massStorage: 0x08,
  hub: 0x09,
  cdcData: 0x0a,
  smartCard: 0x0b,
  contentSecurity: 0x0d,
  video: 0x0e,
  personalHealthcare: 0x0f,
  audioVideo: 0x10,
  billboard: 0x11,
  typeCBridge: 0x12,
  diagnostic: 0xdc,
  wireless: 0xe0,
  miscellaneous: 0xef,
  applicationSpecific: 0xfe,
  vendorSpecific: 0xff,
} as const;

/** Every class code the USB-IF defines for interfaces, used where a plan must list them. */
export const DEFINED_INTERFACE_CLASSES: readonly number[] = Object.values(USB_CLASS).filter((c) => c !== USB_CLASS.perInterface);

/** HID boot-protocol interfaces (HID 1.11 §4.2/4.3): subclass 1, protocol 1 keyboard, 2 mouse. */
export const HID_SUBCLASS_BOOT = 0x01;
export const HID_PROTOCOL_KEYBOARD = 0x01;
export const HID_PROTOCOL_MOUSE = 0x02;

export interface InterfaceClassTriple {
  class: number;
  subClass: number;
  protocol: number;
}

/**
 * A keyboard as far as descriptors can tell: the boot-keyboard triple. Report-descriptor
 * keyboards without boot support exist but are rare; keystroke-injection sticks present
 * boot keyboards so that they work in BIOS screens too.
 */
export function isBootKeyboard(i: InterfaceClassTriple): boolean {
  return i.class === USB_CLASS.hid && i.subClass === HID_SUBCLASS_BOOT && i.protocol === HID_PROTOCOL_KEYBOARD;
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
