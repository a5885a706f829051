/**
 * USB-HID keyboard-wedge scanners: boot keyboard report decoding (US layout), a thin
 * node-hid transport, and a factory that makes such a scanner a QrReader.
 */
export { BootKeyboardDecoder, UNSUPPORTED_KEY_BYTE, type BootKeyboardOptions, type BootKeyboardStats, type TerminatorKey } from './bootKeyboard.js';
export { US_LAYOUT, USAGE, MODIFIER } from './usLayout.js';
export {
  HidKeyboardTransport,
  HidKeyboardTransportOptionsSchema,
  HidDeviceSelectorSchema,
  type HidKeyboardTransportOptions,
} from './hidKeyboardTransport.js';
export { createHidScanner, HidScannerConfigSchema, type HidScannerConfig } from './hidScanner.js';
