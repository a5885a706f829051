import type { FakeDeviceSpec } from './fake-usb-kernel.js';

/**
 * Devices a school PC meets, for tests, benchmarks and the demo. Ids are those of real
 * products; serials are made up.
 */
export const SAMPLE_DEVICES = {
  /** Wang laoshi's SanDisk Cruzer: mass storage, has a serial. */
  teacherDrive: { vid: '0781', pid: '5567', serial: '4C530001230101104512', manufacturer: 'SanDisk', product: 'Cruzer Blade', interfaces: [{ number: 0, class: 0x08, subClass: 0x06, protocol: 0x50 }] },
  /** A student's no-name stick. */
  studentDrive: { vid: '090c', pid: '1000', serial: 'AA00000000011283', manufacturer: 'SMI Corporation', product: 'USB DISK', interfaces: [{ number: 0, class: 0x08, subClass: 0x06, protocol: 0x50 }] },
  keyboard: { vid: '046d', pid: 'c31c', manufacturer: 'Logitech', product: 'USB Keyboard', interfaces: [{ number: 0, class: 0x03, subClass: 0x01, protocol: 0x01 }, { number: 1, class: 0x03, subClass: 0x00, protocol: 0x00 }] },
  mouse: { vid: '046d', pid: 'c077', manufacturer: 'Logitech', product: 'USB Optical Mouse', interfaces: [{ number: 0, class: 0x03, subClass: 0x01, protocol: 0x02 }] },
  /** A "keyboard + storage" attack stick: the keyboard types, the disk carries the payload. */
  keyboardStorageStick: { vid: '1a86', pid: 'e026', product: 'Composite HID+MSC', interfaces: [{ number: 0, class: 0x03, subClass: 0x01, protocol: 0x01 }, { number: 1, class: 0x08, subClass: 0x06, protocol: 0x50 }] },
  hub: { vid: '05e3', pid: '0610', manufacturer: 'GenesysLogic', product: 'USB2.1 Hub', deviceClass: 0x09, interfaces: [{ number: 0, class: 0x09 }] },
  webcam: { vid: '046d', pid: '0825', serial: '8C1D5E20', product: 'Webcam C270', deviceClass: 0xef, interfaces: [{ number: 0, class: 0x0e, subClass: 0x01 }, { number: 1, class: 0x0e, subClass: 0x02 }, { number: 2, class: 0x01, subClass: 0x01 }, { number: 3, class: 0x01, subClass: 0x02 }] },
  printer: { vid: '03f0', pid: '2b17', serial: 'CNB1234567', manufacturer: 'HP', product: 'LaserJet 1020', interfaces: [{ number: 0, class: 0x07, subClass: 0x01, protocol: 0x02 }] },
  /** An Android phone in file-transfer mode (MTP: still-image class). */
  phone: { vid: '18d1', pid: '4ee1', serial: 'R58M123ABC', manufacturer: 'Google', product: 'Pixel', interfaces: [{ number: 0, class: 0x06, subClass: 0x01, protocol: 0x01 }] },
} satisfies Record<string, FakeDeviceSpec>;
