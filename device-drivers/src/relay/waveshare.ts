/**
 * Waveshare "Modbus RTU Relay" command set (development protocol V2, Waveshare
 * wiki "Modbus RTU Relay"; boards sold since 2021-09, older V1 boards can be
 * upgraded). All commands are FC05 (write single coil) with vendor values:
 *
 *   address 0x0000+n   value 0xFF00 on, 0x0000 off, 0x5500 toggle  (relay n, from 0)
 *   address 0x00FF     the same values for all relays at once
 *   address 0x0200+n   value t: "flash on"  — on now, off after t × 100 ms
 *   address 0x0400+n   value t: "flash off" — off now, on after t × 100 ms
 *
 * Relay states read with FC01 from address 0; FC0F writes several at once.
 * Holding register 0x4000 holds the unit address, 0x2000 the baud setting
 * (FC06), 0x8000 the firmware version (FC03).
 */
export const WAVESHARE = {
  on: 0xff00,
  off: 0x0000,
  toggle: 0x5500,
  allRelays: 0x00ff,
  flashOnBase: 0x0200,
  flashOffBase: 0x0400,
  flashUnitMs: 100,
  flashMaxUnits: 0x7fff,
  addressRegister: 0x4000,
  baudRegister: 0x2000,
  versionRegister: 0x8000,
} as const;

/** Baud codes of register 0x2000 (low byte); the high byte selects parity (0 none, 1 even, 2 odd). */
export const WAVESHARE_BAUD_CODES: Record<number, number> = {
  4800: 0x00,
  9600: 0x01,
  19200: 0x02,
  38400: 0x03,
  57600: 0x04,
  115200: 0x05,
  128000: 0x06,
  256000: 0x07,
};
